import { TokenBucket } from "../../../runtime/src/sms/tokenBucket";

describe("TokenBucket", () => {
  it("lets one part a second through at 1 MPS (10DLC default)", () => {
    let now = 0;
    const bucket = new TokenBucket(1, () => now);
    expect(bucket.reserve(1)).toBe(0);
    expect(bucket.reserve(1)).toBe(1000);
    expect(bucket.reserve(1)).toBe(2000);
    now = 5000; // idle time refills, but only up to the burst
    expect(bucket.reserve(1)).toBe(0);
    expect(bucket.reserve(1)).toBe(1000);
  });

  it("allows a burst of 3 at 3 MPS (toll-free) and then paces", () => {
    const bucket = new TokenBucket(3, () => 0);
    expect([bucket.reserve(1), bucket.reserve(1), bucket.reserve(1)]).toEqual([0, 0, 0]);
    expect(bucket.reserve(1)).toBeCloseTo(333.33, 1);
  });

  it("charges a multi-part message by its parts", () => {
    const bucket = new TokenBucket(1, () => 0);
    expect(bucket.reserve(3)).toBe(0);
    expect(bucket.reserve(1)).toBe(3000);
  });

  it("holds the long-run rate for any mix of sizes", () => {
    const bucket = new TokenBucket(2, () => 0); // 500 ms a part, burst of 2
    const sizes = [1, 3, 2, 1, 4, 1, 1, 2];
    const waits = sizes.map((size) => bucket.reserve(size));
    // Each message starts once the parts before it, less one burst allowance, are paid for.
    let before = 0;
    sizes.forEach((size, i) => {
      expect(waits[i]).toBe(Math.max(0, (before - 1) * 500));
      before += size;
    });
  });

  it("refuses, without reserving, a wait longer than allowed", () => {
    const bucket = new TokenBucket(1, () => 0);
    bucket.reserve(5);
    expect(bucket.reserve(1, 3000)).toBeUndefined();
    expect(bucket.reserve(1)).toBe(5000);
  });
});
