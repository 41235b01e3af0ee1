// Cell formatting: width-exact truncation and padding, so columns line up. Widths count code
// points; wide (CJK) characters can make a cell one column wider, which <Text wrap="truncate">
// then clips instead of breaking the layout.

const ELLIPSIS = '…';

/** Cuts `text` to at most `width` characters, ending in `…` when something was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const characters = [...text];
  if (characters.length <= width) return text;
  return characters.slice(0, width - 1).join('') + ELLIPSIS;
}

/** Truncates and pads to exactly `width` characters. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const gap = Math.max(0, width - [...cut].length);
  return align === 'left' ? cut + ' '.repeat(gap) : ' '.repeat(gap) + cut;
}

/** Lines of at most `width` characters, breaking long lines (for detail views). */
export function wrapLines(text: string, width: number): string[] {
  if (width <= 0) return [];
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    const characters = [...line];
    if (characters.length === 0) lines.push('');
    for (let start = 0; start < characters.length; start += width) lines.push(characters.slice(start, start + width).join(''));
  }
  return lines;
}
