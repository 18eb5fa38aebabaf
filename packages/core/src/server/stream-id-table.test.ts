import { StreamIdTable } from "./stream-id-table";

/** Ids the way a client opens streams: odd and rising by two. */
const clientIds = (count: number, from = 1) => Array.from({ length: count }, (_, i) => from + 2 * i);

describe("StreamIdTable", () => {
  test("holds, finds and removes streams like a Map", () => {
    const table = new StreamIdTable<string>();
    const map = new Map<number, string>();
    for (const id of clientIds(40)) {
      table.set(id, `s${id}`);
      map.set(id, `s${id}`);
    }
    for (const id of clientIds(20)) expect(table.delete(id * 2 + 1)).toBe(map.delete(id * 2 + 1));
    expect(table.size).toBe(map.size);
    for (const id of clientIds(45)) {
      expect(table.get(id)).toBe(map.get(id));
      expect(table.has(id)).toBe(map.has(id));
    }
    expect(table.delete(9999)).toBe(false);
  });

  test("set replaces the value of an id already present without counting it twice", () => {
    const table = new StreamIdTable<string>();
    table.set(3, "first").set(3, "second");
    expect(table.size).toBe(1);
    expect(table.get(3)).toBe("second");
  });

  test("ids that land on the same slot stay reachable after one of them is removed", () => {
    // With 16 slots, ids whose halves differ by 16 share a home slot and form one probe run.
    const table = new StreamIdTable<number>(16);
    const colliding = [1, 33, 65, 97];
    for (const id of colliding) table.set(id, id);
    table.delete(33);
    expect([1, 65, 97].map((id) => table.get(id))).toEqual([1, 65, 97]);
    expect(table.get(33)).toBeUndefined();
    table.delete(1);
    expect([65, 97].map((id) => table.get(id))).toEqual([65, 97]);
  });

  test("grows past its first capacity and shrinks back as streams close", () => {
    const table = new StreamIdTable<number>(16);
    const ids = clientIds(1000, 101);
    for (const id of ids) table.set(id, id);
    expect(table.size).toBe(1000);
    expect(ids.every((id) => table.get(id) === id)).toBe(true);
    for (const id of ids.slice(0, 995)) table.delete(id);
    expect(table.size).toBe(5);
    expect(ids.slice(995).map((id) => table.get(id))).toEqual(ids.slice(995));
    // Rising ids keep flowing through a shrunk table.
    for (const id of clientIds(500, 3001)) {
      table.set(id, id);
      table.delete(id);
    }
    expect(table.size).toBe(5);
  });

  test("forEach visits in id order and skips a stream removed by an earlier visit", () => {
    const table = new StreamIdTable<string>();
    for (const id of [9, 3, 7, 5]) table.set(id, `s${id}`);
    const visited: number[] = [];
    table.forEach((value, id, self) => {
      visited.push(id);
      expect(value).toBe(`s${id}`);
      if (id === 5) self.delete(7);
    });
    expect(visited).toEqual([3, 5, 9]);
  });

  test("refuses ids that are not positive integers", () => {
    const table = new StreamIdTable<string>();
    expect(() => table.set(0, "x")).toThrow(/positive integers, not 0/);
    expect(() => table.set(1.5, "x")).toThrow(RangeError);
    expect(table.size).toBe(0);
  });
});
