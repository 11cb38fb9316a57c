// contracts/asyncapi.json through the official AsyncAPI parser: every diagnostic of severity error
// (or warning) is printed; the exit status is 1 when there is an error.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const file = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await parser.parse(readFileSync(file, "utf8"), { source: file });
const severities = ["error", "warning", "information", "hint"];
for (const d of diagnostics) {
  console.log(`${severities[d.severity]} ${d.code} ${d.path.join(".")}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === 0);
console.log(document ? `parsed: AsyncAPI ${document.version()}, ${document.channels().length} channels, ${errors.length} errors` : "not parsed");
process.exit(document && errors.length === 0 ? 0 : 1);
