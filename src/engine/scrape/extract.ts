/**
 * Pure HTML → page facts, with htmlparser2's streaming Parser: no DOM is built, so a 50 KB page
 * costs one pass and a few small strings. Every string returned has been through
 * {@link stripControlChars}, because these strings end up in a terminal (the dashboard) and in
 * log files, where escape sequences and bidi overrides could forge or hide output.
 */
import {Parser} from 'htmlparser2';
import {tryNormalizeUrl} from '../crawl/normalize-url.js';

/** The facts we keep about one HTML page. */
export interface PageFacts {
  /** The document `<title>`, at most 1000 characters. */
  title: string;
  /** `<meta name="description">` (or `og:description` when that is missing), at most 2000 characters. */
  description: string;
  /** `<link rel="canonical">`, absolute and normalised; `undefined` when missing or not http(s). */
  canonicalUrl: string | undefined;
  /** Text of the first `<h1>`, at most 1000 characters. */
  h1: string;
  /** The first ~500 characters of visible text (not script/style/noscript/template), whitespace collapsed. */
  textExcerpt: string;
  /**
   * Outgoing `<a href>`/`<area href>`, absolute and normalised with `normalizeUrl`, http(s) only,
   * de-duplicated, in document order. `rel=nofollow` links are kept; `javascript:`, `mailto:`,
   * `tel:`, `data:` and in-page (`#…` or empty) links are not.
   */
  links: string[];
  /** Absolute URLs of img src (and the first srcset candidate), video src/poster, audio src, source src/srcset; de-duplicated; http(s) only. */
  media: string[];
}

/** Options for {@link extractFromHtml}. */
export interface ExtractOptions {
  /** Length of `textExcerpt`, in characters. @default 500 */
  excerptChars?: number;
  /** Links kept (the rest of the page's links are ignored); media URLs are capped at the same number. @default 5000 */
  maxLinks?: number;
}

const DEFAULT_EXCERPT_CHARS = 500;
const DEFAULT_MAX_LINKS = 5000;
const MAX_TITLE_CHARS = 1000;
const MAX_DESCRIPTION_CHARS = 2000;
const MAX_H1_CHARS = 1000;

/** Text inside these is not visible. `title` is excluded too: it is reported on its own. */
const INVISIBLE = new Set(['script', 'style', 'noscript', 'template', 'title']);

/**
 * Elements whose boundaries don't separate words ("<b>w</b>ord" is one word). Every other tag
 * boundary counts as whitespace, so "<p>a</p><p>b</p>" reads "a b".
 */
const INLINE = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'cite', 'code', 'data', 'dfn', 'em', 'font', 'i', 'kbd', 'label', 'mark', 'q',
  's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'time', 'u', 'var', 'wbr',
]);

/**
 * Extracts title, description, canonical URL, first h1, a text excerpt, links and media URLs from
 * an HTML document. Relative URLs resolve against the first `<base href>` when there is one (HTML
 * requires it to come before any URL it affects, so a streaming parse sees it in time), else
 * against `pageUrl`.
 */
export function extractFromHtml(html: string, pageUrl: string, options: ExtractOptions = {}): PageFacts {
  const excerptChars = options.excerptChars ?? DEFAULT_EXCERPT_CHARS;
  const maxLinks = options.maxLinks ?? DEFAULT_MAX_LINKS;
  // Raw text is collected a little past the caps: stripping may remove characters, and there is
  // no point holding megabytes of text we are going to cut anyway.
  const excerptBudget = excerptChars * 2 + 256;

  let baseUrl = pageUrl;
  let hasBase = false;
  let title: string | undefined;
  let titleText = '';
  let inTitle = false;
  let description: string | undefined;
  let ogDescription: string | undefined;
  let canonicalUrl: string | undefined;
  let h1: string | undefined;
  let h1Text = '';
  let h1Depth = 0; // >0 while inside the first <h1> (counts nested h1s, which broken HTML has)
  let invisibleDepth = 0;
  let svgDepth = 0;
  let excerpt = '';
  const links = new Set<string>();
  const media = new Set<string>();

  const addUrl = (into: Set<string>, raw: string | undefined): void => {
    if (raw === undefined || into.size >= maxLinks) return;
    const href = raw.trim();
    if (href === '' || href.startsWith('#')) return;
    // normalizeUrl admits http(s) only, so javascript:, mailto:, tel: and data: fall out here.
    const url = tryNormalizeUrl(href, baseUrl);
    if (url !== undefined) into.add(stripControlChars(url));
  };
  const addSeparator = (): void => {
    if (excerpt.length < excerptBudget && excerpt !== '' && !excerpt.endsWith(' ')) excerpt += ' ';
  };

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        if (name === 'svg') svgDepth++;
        if (INVISIBLE.has(name)) invisibleDepth++;
        if (!INLINE.has(name)) addSeparator();
        switch (name) {
          case 'base':
            if (!hasBase && attribs.href !== undefined) {
              hasBase = true;
              const resolved = tryNormalizeUrl(attribs.href.trim(), pageUrl);
              if (resolved !== undefined) baseUrl = resolved;
            }
            break;
          case 'title':
            // An inline <svg><title> is a tooltip, not the document title.
            if (title === undefined && svgDepth === 0) inTitle = true;
            break;
          case 'meta': {
            const key = (attribs.name ?? attribs.property ?? '').toLowerCase();
            if (key === 'description' && description === undefined) description = attribs.content ?? '';
            if (key === 'og:description' && ogDescription === undefined) ogDescription = attribs.content ?? '';
            break;
          }
          case 'link':
            if (canonicalUrl === undefined && hasToken(attribs.rel, 'canonical') && attribs.href !== undefined) {
              canonicalUrl = tryNormalizeUrl(attribs.href.trim(), baseUrl);
            }
            break;
          case 'h1':
            if (h1 === undefined) h1Depth++;
            break;
          case 'a':
          case 'area':
            addUrl(links, attribs.href);
            break;
          case 'img':
          case 'source':
            addUrl(media, attribs.src);
            addUrl(media, firstSrcsetCandidate(attribs.srcset));
            break;
          case 'video':
            addUrl(media, attribs.src);
            addUrl(media, attribs.poster);
            break;
          case 'audio':
            addUrl(media, attribs.src);
            break;
        }
      },
      ontext(text) {
        if (inTitle) {
          if (titleText.length < MAX_TITLE_CHARS * 2) titleText += text;
          return;
        }
        if (invisibleDepth > 0) return;
        if (h1Depth > 0 && h1Text.length < MAX_H1_CHARS * 2) h1Text += text;
        if (excerpt.length < excerptBudget) excerpt += text.replace(/\s+/g, ' ');
      },
      onclosetag(name) {
        if (name === 'svg' && svgDepth > 0) svgDepth--;
        if (INVISIBLE.has(name) && invisibleDepth > 0) invisibleDepth--;
        if (!INLINE.has(name)) addSeparator();
        if (name === 'title' && inTitle) {
          inTitle = false;
          title = titleText;
        }
        if (name === 'h1' && h1Depth > 0 && --h1Depth === 0) h1 = h1Text;
      },
    },
    {decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true},
  );
  parser.write(html);
  parser.end();

  return {
    // An unclosed <title> or <h1> still counts for what it collected.
    title: truncate(stripControlChars(title ?? titleText), MAX_TITLE_CHARS),
    description: truncate(stripControlChars(description ?? ogDescription ?? ''), MAX_DESCRIPTION_CHARS),
    canonicalUrl: canonicalUrl === undefined ? undefined : stripControlChars(canonicalUrl),
    h1: truncate(stripControlChars(h1 ?? h1Text), MAX_H1_CHARS),
    textExcerpt: truncate(stripControlChars(excerpt), excerptChars).trimEnd(),
    links: [...links],
    media: [...media],
  };
}

// Terminal escape sequences (ECMA-48). Each is removed whole, so no stray "[31m" remains.
/** OSC, DCS, SOS, PM, APC: an introducer, a payload, and BEL or ST. The payload class excludes the terminators, keeping this linear. */
const STRING_SEQUENCE = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)/g;
/** CSI: ESC [ (or C1 CSI), parameter bytes, intermediate bytes, one final byte. */
const CSI_SEQUENCE = /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]/g;
/** Any other escape: ESC, intermediate bytes, one final byte (e.g. ESC c, ESC ( B). */
const OTHER_ESCAPE = /\u001b[\u0020-\u002f]*[\u0030-\u007e]/g;
/** C0 and C1 controls and DEL, minus the whitespace ones (handled by the collapse). */
const CONTROLS = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;
/** Bidi embeddings/overrides/isolates, which can make text display in a different order than it reads. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Makes untrusted text safe to print: removes terminal escape sequences whole (CSI such as
 * `"\u001b[31m"`, OSC such as `"\u001b]0;title\u0007"`), the remaining C0/C1 control characters
 * and DEL, and the bidi override/isolate characters U+202A–U+202E and U+2066–U+2069; tabs and
 * line breaks become spaces; then whitespace is collapsed and the result trimmed.
 */
export function stripControlChars(text: string): string {
  return text
    .replace(STRING_SEQUENCE, '')
    .replace(CSI_SEQUENCE, '')
    .replace(OTHER_ESCAPE, '')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function hasToken(list: string | undefined, token: string): boolean {
  return list !== undefined && list.toLowerCase().split(/\s+/).includes(token);
}

/**
 * The URL of the first srcset candidate. A candidate's URL runs up to whitespace; a comma right
 * after it ends the candidate (URLs may contain commas, so we can't just split on them).
 */
function firstSrcsetCandidate(srcset: string | undefined): string | undefined {
  const match = srcset === undefined ? null : /^[\s,]*(\S+)/.exec(srcset);
  return match?.[1]?.replace(/,+$/, '') || undefined;
}

/** Cuts at `maxChars` without leaving half a surrogate pair behind. */
function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}
