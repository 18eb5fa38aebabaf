// Rebuilds a google.protobuf.FileDescriptorSet for flyteidl2 from the npm package
// @flyteorg/flyteidl2, which ships protoc-gen-es TypeScript (`*_pb.ts`) and no .proto files.
//
// Every `*_pb.ts` file embeds its file's serialized FileDescriptorProto as
// `export const file_x: GenFile = fileDesc("<base64>", [file_dep, ...])`. The embedded form drops
// `dependency` and default `json_name`s; @bufbuild/protobuf's own `fileDesc` puts them back when
// it is given the imported files. This module reads the base64 text and the import list of each
// file statically (nothing from the package is executed), hydrates the files with `fileDesc`, and
// returns the closure of the requested roots in dependency order.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";

/** Well-known types are imported from @bufbuild/protobuf/wkt, not from the package. */
const WKT_MODULE = "@bufbuild/protobuf/wkt";

/**
 * @param {string} pkgRoot directory of the package that depends on @flyteorg/flyteidl2
 * @param {string[]} roots proto file names (e.g. "flyteidl2/connector/service.proto")
 * @returns {Promise<{ bytes: Uint8Array, files: string[], version: string }>}
 */
export async function buildFlyteidl2DescriptorSet(pkgRoot, roots) {
  const require = createRequire(join(pkgRoot, "package.json"));
  const idlRoot = dirname(require.resolve("@flyteorg/flyteidl2/package.json"));
  const version = JSON.parse(readFileSync(join(idlRoot, "package.json"), "utf8")).version;
  const { fileDesc } = await import(require.resolve("@bufbuild/protobuf/codegenv1"));
  const wkt = await import(require.resolve(WKT_MODULE));
  const { create, toBinary } = await import(require.resolve("@bufbuild/protobuf"));

  /** module path (absolute, without extension) -> { name, b64, deps: [module path | wkt symbol] } */
  const sources = new Map();
  for (const file of walk(idlRoot)) {
    const parsed = parsePbTs(readFileSync(file, "utf8"), file);
    if (parsed) sources.set(file, parsed);
  }

  /** absolute _pb.ts path -> hydrated DescFile */
  const hydrated = new Map();
  const hydrate = (path, trail = []) => {
    const done = hydrated.get(path);
    if (done) return done;
    const src = sources.get(path);
    if (!src) throw new Error(`@flyteorg/flyteidl2: no fileDesc(...) found in ${relative(idlRoot, path)}`);
    if (trail.includes(path)) throw new Error(`@flyteorg/flyteidl2: import cycle through ${relative(idlRoot, path)}`);
    const deps = src.deps.map((d) => {
      if (d.wkt) {
        const f = wkt[d.symbol];
        if (!f) throw new Error(`${WKT_MODULE} has no ${d.symbol} (imported by ${relative(idlRoot, path)})`);
        return f;
      }
      return hydrate(d.path, [...trail, path]);
    });
    const desc = fileDesc(src.b64, deps);
    hydrated.set(path, desc);
    return desc;
  };

  const byName = new Map();
  for (const path of sources.keys()) {
    const desc = hydrate(path);
    byName.set(desc.proto.name, desc);
  }

  // Dependency order (imports first), as protoc and buf expect in a descriptor set.
  const ordered = [];
  const seen = new Set();
  const visit = (desc) => {
    if (seen.has(desc.proto.name)) return;
    seen.add(desc.proto.name);
    for (const dep of desc.dependencies) visit(dep);
    ordered.push(desc.proto);
  };
  for (const root of roots) {
    const desc = byName.get(root);
    if (!desc) throw new Error(`@flyteorg/flyteidl2 ${version} has no ${root}`);
    visit(desc);
  }
  const set = create(wkt.FileDescriptorSetSchema, { file: ordered });
  return { bytes: toBinary(wkt.FileDescriptorSetSchema, set), files: ordered.map((f) => f.name), version };
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules") yield* walk(p);
    } else if (entry.name.endsWith("_pb.ts")) {
      yield p;
    }
  }
}

/** Reads `fileDesc("<b64>", [deps])` and the imports that name the deps. */
function parsePbTs(text, path) {
  const m =
    /export const (file_\w+)(?::\s*GenFile)?\s*=\s*(?:\/\*@__PURE__\*\/\s*)?fileDesc\(\s*"([A-Za-z0-9+/=_-]+)"\s*(?:,\s*\[([^\]]*)\])?\s*\)/.exec(
      text,
    );
  if (!m) return undefined;
  const imported = new Map();
  for (const im of text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*"([^"]+)";/gm)) {
    for (const sym of im[1]
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean))
      imported.set(sym, im[2]);
  }
  const deps = (m[3] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((symbol) => {
      const from = imported.get(symbol);
      if (!from) throw new Error(`${path}: fileDesc dependency ${symbol} is not imported`);
      if (from === WKT_MODULE) return { wkt: true, symbol };
      if (!from.startsWith(".")) throw new Error(`${path}: unexpected import of ${symbol} from ${from}`);
      return { wkt: false, path: resolve(dirname(path), from) };
    });
  return { symbol: m[1], b64: m[2], deps };
}
