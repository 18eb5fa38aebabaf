// Empties a package's dist/ before its build, so that the compiled output of deleted or renamed
// source files never reaches a published tarball. Run from the package directory.
import { rmSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
