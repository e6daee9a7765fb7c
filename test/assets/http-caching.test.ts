import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { etagOf, matchesIfNoneMatch } from "../../src/assets/http-caching.ts";

describe("HTTP caching", () => {
  const etag = etagOf("ab".repeat(32));

  it("quotes the hash as the ETag", () => {
    assert.equal(etag, `"${"ab".repeat(32)}"`);
  });

  it("matches If-None-Match as RFC 9110 says: any listed tag, weakly, or *", () => {
    assert.equal(matchesIfNoneMatch(undefined, etag), false);
    assert.equal(matchesIfNoneMatch(etag, etag), true);
    assert.equal(matchesIfNoneMatch(`W/${etag}`, etag), true);
    assert.equal(matchesIfNoneMatch(`"a", ${etag} , "b"`, etag), true);
    assert.equal(matchesIfNoneMatch(" * ", etag), true);
    assert.equal(matchesIfNoneMatch('"a", "b"', etag), false);
    assert.equal(matchesIfNoneMatch("ab".repeat(32), etag), false, "an unquoted tag is not it");
    assert.equal(matchesIfNoneMatch("", etag), false);
  });
});
