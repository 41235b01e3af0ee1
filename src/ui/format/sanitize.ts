// Everything that came from the web (titles, URLs, error messages, job data) passes through here
// before it is drawn. Ink itself strips cursor movement but keeps OSC sequences (window titles,
// hyperlinks) and lone control characters, so a page titled `\u001b]0;pwned\u0007` would rename
// the operator's terminal. We drop every escape sequence and every control character.

// ESC followed by: CSI `[` params final | OSC `]` ... (BEL | ST) | DCS/SOS/PM/APC `P X ^ _` ... ST |
// a single character (two-byte escapes like `ESC c`, `ESC 7`). The 8-bit C1 forms (0x9B CSI,
// 0x9D OSC, 0x90 DCS...) are matched the same way.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\u0007|\u001b\\|\u009c|$)|\u001b[\s\S]?/g;

// C0 controls, DEL, C1 controls, and the Unicode bidirectional overrides and isolates that can
// reorder what the operator reads (CVE-2021-42574, "Trojan Source").
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to draw on one line: escape sequences and control characters removed, line breaks and
 * tabs turned into spaces.
 */
export function sanitize(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(/[\t\n\r]+/g, ' ').replace(CONTROL_CHARACTERS, '');
}

/** Like {@link sanitize}, but keeps line breaks (for stacks and job data). Tabs become two spaces. */
export function sanitizeMultiline(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '  ')
    .replace(CONTROL_CHARACTERS, (character) => (character === '\n' ? '\n' : ''));
}
