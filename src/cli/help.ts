/**
 * Per-command help, cut from the one usage text in main.ts (so a flag documented there shows in
 * both "engram --help" and "engram CMD --help"): the command's synopsis lines ("  engram CMD ...",
 * with their indented continuations) and its description block (from "CMD" at the line start to
 * the next line that starts with a word).
 */

/** True when the arguments ask for help (before a "--" that ends the options). */
export function wantsHelp(args: string[]): boolean {
  const end = args.indexOf("--");
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

export function commandUsage(usage: string, command: string): string {
  const lines = usage.split("\n");
  const synopsis: string[] = [];
  let inSynopsis = false;
  for (const line of lines) {
    const m = /^ {2}engram (\S+)/.exec(line);
    if (m) inSynopsis = m[1] === command;
    else if (!(inSynopsis && /^ {4,}\S/.test(line))) inSynopsis = false;
    if (inSynopsis) synopsis.push(line);
  }
  const start = lines.findIndex((l) => l.startsWith(`${command} `));
  const description: string[] = [];
  if (start >= 0) {
    description.push(lines[start]!);
    for (const l of lines.slice(start + 1)) {
      if (/^\S/.test(l) || l === "") break;
      description.push(l);
    }
  }
  return ["usage:", ...synopsis, "", ...description].join("\n");
}
