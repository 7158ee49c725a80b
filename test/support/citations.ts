import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';

/**
 * Checks that every document the repository cites exists: `docs/<page>.md` and
 * `docs/<page>.md#anchor` anywhere in code, comments and docs, and relative links in Markdown.
 * Anchors are computed the way GitHub renders headings (github-slugger). Citations of pages that
 * live outside the repository are refused outright: a maintainer could not follow them.
 */

export interface CitationProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** What the citation check scans: the tracked text files of these paths. */
export const SCANNED = ['src/', 'test/', 'docs/', 'schema/', '.ci/', 'README.md', 'eslint.config.js', 'package.json', 'mikro-orm.config.ts', 'docker-compose.yml', 'Dockerfile'];
const TEXT = /\.(ts|mts|js|mjs|cjs|json|md|graphql|ya?ml)$|(^|\/)(run|Dockerfile)$/;

/** Citations of documents that are not part of the repository. */
const OUTSIDE: readonly { pattern: RegExp; message: string }[] = [
  { pattern: /\bDESIGN\s*§/, message: 'cites a design page outside the repository; cite docs/architecture.md#<anchor>' },
  { pattern: /\b(ENTRA|DESIGN|STYLE)\.md\b/, message: 'cites a page outside the repository; cite docs/entra.md#<anchor> or docs/architecture.md#<anchor>' },
  { pattern: /(\.\.\/|\/work\/)shared\/[\w.-]*\.md|\/work\/shared\b/, message: 'cites a file outside the repository' },
];

/** `docs/<page>.md`, with or without `#anchor`, not preceded by a path (`../docs/<page>.md` is a link). */
const DOC_CITATION = /(?<![\w./-])docs\/([\w.-]+\.md)(?:#([\w-]+))?/g;
/** `[text](target)` and `[label]: target` in Markdown. */
const MD_LINK = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const MD_REF = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;

/** The files under SCANNED that git tracks or would track, or every file there when git is unavailable. */
export function scannedFiles(root: string): string[] {
  let files: string[];
  try {
    files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...SCANNED.filter((p) => existsSync(path.join(root, p)))], { cwd: root, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
  } catch {
    const walk = (rel: string): string[] => {
      const abs = path.join(root, rel);
      if (!existsSync(abs)) return [];
      if (!statSync(abs).isDirectory()) return [rel];
      return readdirSync(abs).flatMap((n) => (n === 'node_modules' ? [] : walk(path.posix.join(rel, n))));
    };
    files = SCANNED.flatMap((p) => walk(p.replace(/\/$/, '')));
  }
  return files.filter((f) => TEXT.test(f) && existsSync(path.join(root, f)));
}

/** The anchors a Markdown page offers: its headings as GitHub slugs them, and explicit ids. */
export function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) anchors.add(slugger.slug(h[1]!.replace(/`/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')));
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

/** Lines of a Markdown page outside fenced code blocks, with their numbers. */
function proseLines(text: string): [number, string][] {
  const out: [number, string][] = [];
  let fence: string | null = null;
  text.split('\n').forEach((line, i) => {
    const f = /^\s*(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push([i + 1, line.replace(/`[^`]*`/g, '')]);
  });
  return out;
}

/** Checks the citations in `files` (paths relative to `root`); returns every problem, with file and line. */
export function checkCitations(root: string, files: readonly string[]): CitationProblem[] {
  const problems: CitationProblem[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (rel: string): Set<string> => {
    let a = anchorCache.get(rel);
    if (!a) anchorCache.set(rel, (a = anchorsOf(readFileSync(path.join(root, rel), 'utf8'))));
    return a;
  };
  /** Checks that `target` (relative to the root) exists and, for a Markdown page, has `anchor`. */
  const check = (file: string, line: number, cited: string, target: string, anchor: string | undefined): void => {
    const rel = path.posix.normalize(target);
    if (rel.startsWith('../') || path.isAbsolute(rel)) {
      problems.push({ file, line, message: `${cited} points outside the repository` });
      return;
    }
    if (rel !== '.' && !existsSync(path.join(root, rel))) {
      problems.push({ file, line, message: `${cited}: ${rel} does not exist` });
      return;
    }
    if (anchor && rel.endsWith('.md') && !anchors(rel).has(anchor)) {
      problems.push({ file, line, message: `${cited}: ${rel} has no heading with anchor #${anchor}` });
    }
  };

  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8');
    text.split('\n').forEach((line, i) => {
      const outside = OUTSIDE.find((o) => o.pattern.test(line));
      if (outside) problems.push({ file, line: i + 1, message: outside.message });
      for (const m of line.matchAll(DOC_CITATION)) check(file, i + 1, m[0], `docs/${m[1]!}`, m[2]);
    });
    if (!file.endsWith('.md')) continue;
    for (const [n, line] of proseLines(text)) {
      const targets = [...line.matchAll(MD_LINK)].map((m) => m[1]!);
      const ref = MD_REF.exec(line);
      if (ref) targets.push(ref[1]!);
      for (const t of targets) {
        if (/^[a-z][a-z+.-]*:/i.test(t)) continue; // https:, mailto:
        const [p, anchor] = t.split('#', 2) as [string, string | undefined];
        const target = p === '' ? file : path.posix.join(path.posix.dirname(file), decodeURIComponent(p));
        check(file, n, t, target, anchor);
      }
    }
  }
  return problems;
}

export const formatProblems = (ps: readonly CitationProblem[]): string => ps.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n');
