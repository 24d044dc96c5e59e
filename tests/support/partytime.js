// Parse an RSS feed with the Podcast Index's podcast-partytime; print it as JSON.
// Usage: NODE_PATH=tests/.node/node_modules node tests/support/partytime.js < feed.xml
"use strict";
const { parseFeed } = require("podcast-partytime");

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const feed = parseFeed(Buffer.concat(chunks).toString("utf8"), { allowMissingGuid: false });
  if (feed === null) {
    process.stderr.write("partytime could not parse the feed\n");
    process.exit(2);
  }
  process.stdout.write(
    JSON.stringify(feed, (key, value) => (value instanceof Date ? value.toISOString() : value))
  );
});
