import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { anchorsOf, checkCitations, formatProblems, scannedFiles } from '../../support/citations.js';

const root = process.cwd();

describe('citations of documents', () => {
  it('every cited document and anchor exists, and nothing cites a page outside the repository', () => {
    const files = scannedFiles(root);
    // The scan must see the code and the docs, or it proves nothing.
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'src/main.ts', 'eslint.config.js']));
    expect(formatProblems(checkCitations(root, files))).toBe('');
  });

  it('the docs hold the anchors the code is told to cite', () => {
    const wanted: Record<string, string[]> = {
      architecture: ['layers', 'data-model', 'attribute-registry', 'filter-language', 'patch-as-commands', 'transactions', 'provisioning-policies', 'errors', 'performance-budgets', 'limits', 'credentials', 'security', 'robustness', 'database-and-migrations', 'memberships', 'unknown-extension-attributes', 'audit-events'],
      entra: ['the-conversation', 'two-patch-dialects', 'tolerance-rules', 'further-patch-shapes', 'vendor-behaviours'],
      operations: ['configuration', 'tls-behind-a-reverse-proxy', 'metrics', 'logs', 'backup', 'upgrades-and-migrations', 'troubleshooting'],
    };
    for (const [page, anchors] of Object.entries(wanted)) {
      const have = anchorsOf(readFileSync(path.join(root, 'docs', `${page}.md`), 'utf8'));
      expect(anchors.filter((a) => !have.has(a))).toEqual([]);
    }
  });
});

describe('the citation checker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'roster-citations-'));
    mkdirSync(path.join(dir, 'docs'));
    mkdirSync(path.join(dir, 'src'));
    writeFileSync(path.join(dir, 'docs', 'guide.md'), '# Guide\n\n## Two words\n\n```md\n## Not a heading\n```\n\n## Two words\n\n<a id="custom"></a>\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (file: string, text: string) => {
    writeFileSync(path.join(dir, file), text);
    return formatProblems(checkCitations(dir, [file]));
  };
  // Built from parts so that this file itself cites nothing.
  const guide = 'docs/' + 'guide.md';
  const page = 'docs/' + 'page.md';

  it('accepts existing pages and anchors, including repeated headings and explicit ids', () => {
    expect(run('src/ok.ts', `// ${guide}#two-words, ${guide}#two-words-1, ${guide}#custom and ${guide}\n`)).toBe('');
  });

  it('names file and line of a missing anchor', () => {
    expect(run('src/a.ts', `const a = 1;\n// see ${guide}#not-a-heading\n`)).toBe(`src/a.ts:2: ${guide}#not-a-heading: ${guide} has no heading with anchor #not-a-heading`);
  });

  it('names file and line of a missing page', () => {
    expect(run('src/b.ts', '// ' + 'docs/' + 'missing.md#x\n')).toMatch(/^src\/b\.ts:1: .*docs\/missing\.md does not exist$/);
  });

  it('refuses citations of pages outside the repository', () => {
    const out = run('src/c.ts', ['// DESI' + 'GN §3', '// ENT' + 'RA.md, step 2', '// ../shared/STY' + 'LE.md'].join('\n')).split('\n');
    expect(out.map((l) => l.split(':').slice(0, 2).join(':'))).toEqual(['src/c.ts:1', 'src/c.ts:2', 'src/c.ts:3']);
  });

  it('does not mistake a module import from a folder named shared for a page', () => {
    expect(run('src/d.ts', "import { f } from '../shared/filter.js';\n")).toBe('');
  });

  it('checks relative Markdown links and their anchors, outside code blocks only', () => {
    const md = ['[ok](guide.md#two-words) [self](#page-end) [web](https://example.com/x.md#y)', '[bad](guide.md#nope)', '```', '[in code](nowhere.md)', '```', '[gone](../README.md)', '[ref]: other.md', '## Page end'].join('\n');
    expect(run(page, md).split('\n')).toEqual([
      `${page}:2: guide.md#nope: ${guide} has no heading with anchor #nope`,
      `${page}:6: ../README.md: README.md does not exist`,
      `${page}:7: other.md: ${'docs/' + 'other.md'} does not exist`,
    ]);
  });

  it('slugs headings as GitHub does', () => {
    expect([...anchorsOf('# Stack\n## TLS behind a reverse proxy\n### `members` and PATCH: as commands\n## Stack\n')]).toEqual([
      'stack',
      'tls-behind-a-reverse-proxy',
      'members-and-patch-as-commands',
      'stack-1',
    ]);
  });
});
