// The console's amounts, as staff type them in major units, become the
// API's minor units exactly (never through a float), with the currency's
// own number of digits; what is not an amount is refused in words.

import assert from "node:assert/strict";
import { test } from "node:test";
import { digitsOf, parseAmount } from "../../site/assets/admin/amounts.js";

test("dollars typed as staff write them are cents, exactly", () => {
  for (const [typed, minor] of [["5", 500], ["5.0", 500], ["5.00", 500], [" 5.00 ", 500], ["1,234.50", 123450], ["0.29", 29], ["0.07", 7], ["1234567.89", 123456789], ["90,071,992,547,409.91", 9007199254740991]]) {
    assert.deepEqual(parseAmount(typed, "USD"), { minor }, typed);
  }
});

test("what is not an amount of the currency is refused, saying why", () => {
  for (const [typed, why] of [
    ["", /Type an amount/], ["5.001", /USD has 2 digits after the point at most/], ["5.", /ends with a point/],
    ["1,23", /is not an amount/], ["12,3456", /is not an amount/], ["-5", /is not an amount/], ["5,00", /is not an amount/],
    ["$5", /is not an amount/], ["1e3", /is not an amount/], ["0", /above zero/], ["0.00", /above zero/],
    ["90,071,992,547,409.92", /too large/],
  ]) {
    const { minor, error } = parseAmount(typed, "USD");
    assert.equal(minor, undefined, typed);
    assert.match(error, why, typed);
  }
});

test("each currency has its own digits: yen has none, dinars three", () => {
  assert.deepEqual([digitsOf("USD"), digitsOf("EUR"), digitsOf("JPY"), digitsOf("BHD")], [2, 2, 0, 3]);
  assert.deepEqual(parseAmount("1,500", "JPY"), { minor: 1500 });
  assert.match(parseAmount("5.5", "JPY").error, /JPY has no smaller unit/);
  assert.deepEqual(parseAmount("1.234", "BHD"), { minor: 1234 });
  assert.deepEqual(parseAmount("2.5", "EUR"), { minor: 250 });
});
