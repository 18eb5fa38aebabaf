import { BadPathError, parseFilePath } from "../src/file-path";

test.each([
  ["s3://landing/a/b.csv", { kind: "s3", bucket: "landing", key: "a/b.csv" }],
  ["s3a://landing/a/", { kind: "s3", bucket: "landing", key: "a/" }],
  ["s3://landing", { kind: "s3", bucket: "landing", key: "" }],
  ["gs://exports/daily/x.parquet", { kind: "gs", bucket: "exports", key: "daily/x.parquet" }],
  ["gcs://exports_2026/x", { kind: "gs", bucket: "exports_2026", key: "x" }],
  ["/data/incoming/x", { kind: "local", path: "/data/incoming/x" }],
  ["file:///data/in%20coming/x", { kind: "local", path: "/data/in coming/x" }],
])("%s", (path, expected) => {
  expect(parseFilePath(path)).toEqual(expected);
});

test.each([
  ["the path is empty", ""],
  ["is not an S3 bucket name", "s3://Bad_Bucket/x"],
  ["is not an S3 bucket name", "s3://ab/x"],
  ["the object name is longer than 1024 bytes", `s3://landing/${"k".repeat(1025)}`],
  ['the scheme "hdfs" is not served', "hdfs://nn/x"],
  ["a local path must be absolute", "data/x"],
  ["NUL", "/data/\0x"],
  ["longer than 2048 characters", `/${"a".repeat(3000)}`],
])("refused: %s", (text, path) => {
  expect(() => parseFilePath(path)).toThrow(BadPathError);
  expect(() => parseFilePath(path)).toThrow(text);
});
