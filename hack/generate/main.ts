// `npm run generate` writes the generated files; `npm run generate:check` fails when the committed
// ones differ from what the types give.
import { mkdir, readFile, readdir, writeFile, rm } from "node:fs/promises";
import path from "node:path";
import { CRD_DIRS, ROOT, renderCrds } from "./crds.js";

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Generated-looking files in the generated folders that the generator no longer writes. */
async function strayFiles(expected: ReadonlySet<string>): Promise<string[]> {
  const stray: string[] = [];
  for (const dir of CRD_DIRS) {
    const entries = await readdir(path.join(ROOT, dir)).catch(() => [] as string[]);
    for (const entry of entries) {
      const relative = `${dir}/${entry}`;
      if (entry.endsWith(".yaml") && !expected.has(relative)) stray.push(relative);
    }
  }
  return stray;
}

async function main(check: boolean): Promise<number> {
  const files = renderCrds();
  const stale: string[] = [];
  for (const [relative, text] of files) {
    const absolute = path.join(ROOT, relative);
    if ((await readIfExists(absolute)) === text) continue;
    stale.push(relative);
    if (!check) {
      await mkdir(path.dirname(absolute), { recursive: true });
      await writeFile(absolute, text);
    }
  }
  const stray = await strayFiles(new Set(files.keys()));
  if (!check) for (const relative of stray) await rm(path.join(ROOT, relative));

  if (check) {
    if (stale.length === 0 && stray.length === 0) {
      console.log(`Generated files are fresh (${files.size} checked).`);
      return 0;
    }
    console.error(
      "Generated files are stale: the API types in src/api/v1alpha1 changed without regenerating.",
    );
    for (const relative of stale) console.error(`  out of date: ${relative}`);
    for (const relative of stray) console.error(`  no longer generated: ${relative}`);
    console.error("Run `npm run generate` and commit the result.");
    return 1;
  }
  console.log(
    stale.length + stray.length === 0
      ? `Generated files were already fresh (${files.size}).`
      : `Wrote ${stale.length} and removed ${stray.length} generated file(s): ${[...stale, ...stray].join(", ")}`,
  );
  return 0;
}

process.exitCode = await main(process.argv.includes("--check"));
