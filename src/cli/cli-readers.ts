// The Parquet and Arrow readers of the command line, built into a file of their own
// (dist/cli-readers.js, see scripts/build.mjs) that the CLI loads only for such files: a CSV run
// neither parses nor loads them, and the library (`import "mixem"`) never includes them.
export { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetRead } from "hyparquet";
export { compressors } from "hyparquet-compressors";
export { RecordBatchReader } from "apache-arrow";
