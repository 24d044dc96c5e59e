// Parse an RSS feed with the Podcast Index's podcast-partytime and print the result as
// JSON. Usage: node tests/feeds/partytime.js < feed.xml  (NODE_PATH=tests/.node/node_modules)
"use strict";
const { parseFeed } = require("podcast-partytime");

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const xml = Buffer.concat(chunks).toString("utf8");
  const feed = parseFeed(xml, { allowMissingGuid: false });
  if (feed === null) {
    process.stderr.write("partytime could not parse the feed\n");
    process.exit(2);
  }
  process.stdout.write(
    JSON.stringify(feed, (key, value) => (value instanceof Date ? value.toISOString() : value))
  );
});
