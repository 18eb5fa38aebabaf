/**
 * @flyteorg/flyteidl2 ships TypeScript sources only (protobuf-es `*_pb.ts`); the v2 cross-encoder
 * tests load them through ts-jest, so that package is not skipped by the transform.
 * @type {import('jest').Config}
 */
module.exports = {
  ...require("../../jest.preset.js"),
  transformIgnorePatterns: ["/node_modules/(?!.*@flyteorg/flyteidl2/)"],
};
