// `npm run bench [specs|cluster|operator|execute|watch|report]`: prints figures, asserts nothing. Speed, memory and scale are
// measured here, never by timed assertions in tests.
import { benchCluster } from "./cluster.js";
import { benchExecute, benchWatch } from "./execute.js";
import { benchOperator } from "./operator.js";
import { benchReport } from "./report.js";
import { benchSpecs } from "./specs.js";

const suites: Record<string, () => Promise<void>> = {
  specs: benchSpecs,
  cluster: benchCluster,
  operator: benchOperator,
  execute: benchExecute,
  watch: benchWatch,
  report: benchReport,
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown bench suite(s): ${unknown.join(", ")}; valid: ${Object.keys(suites).join(", ")}`);
  process.exit(2);
}
console.log(`node ${process.version}, ${process.arch}`);
for (const name of chosen.length > 0 ? chosen : Object.keys(suites)) {
  console.log(`\n== ${name}`);
  await suites[name]?.();
}
