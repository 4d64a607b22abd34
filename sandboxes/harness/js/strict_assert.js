// Preloaded with `node --require`: a failed console.assert ends the run with a non-zero exit (Node
// only prints a warning), so assertion-based tests can fail; the program cannot replace it
// (a read-only, non-configurable property: assigning it is ignored, or a TypeError in strict code).
// When the event loop empties on its own, and only then, the run's completion token is printed on
// stderr: process.exit and an uncaught exception end the run without 'beforeExit'.
"use strict";
const fs = require("fs");
const util = require("util");
const token = process.env.THEMIS_COMPLETION || "";
delete process.env.THEMIS_COMPLETION;  // the program's own code never sees it in its environment
Object.defineProperty(console, "assert", {
  enumerable: true, writable: false, configurable: false,
  value: function themisAssert(condition, ...message) {
    if (condition) return;
    const detail = message.length ? ": " + util.format(...message) : "";
    process.stderr.write("AssertionError: console.assert failed" + detail + "\n" + new Error().stack + "\n");
    process.exit(1);
  },
});
let completed = false;
process.on("beforeExit", () => {
  if (completed) return;
  completed = true;
  fs.writeSync(2, token + "\n");
});
