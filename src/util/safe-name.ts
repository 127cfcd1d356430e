/**
 * Names that come from a model or an image (model names, target names) become one path component
 * of a default output folder: they must never climb out of it or name another place.
 */

/**
 * One safe path component for `name`: every character other than letters, digits, "_", "-" and
 * "." becomes "_" (so no "/" or "\"), leading dots become "_" (so no "." or ".." and no hidden
 * folders), and an empty result is "_".
 */
export function safeName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^\.+/, (dots) => "_".repeat(dots.length));
  return s === "" ? "_" : s;
}
