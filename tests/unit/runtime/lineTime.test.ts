import pino from "pino";
import { isoTimeOncePerMs } from "../../../runtime/src/logging/lineTime";
import { levelOf } from "../../../runtime/src/logging/turnBufferedDestination";

afterEach(() => jest.restoreAllMocks());

describe("isoTimeOncePerMs (the log lines' time)", () => {
  it("writes exactly what pino's isoTime writes", () => {
    const time = isoTimeOncePerMs();
    for (const ms of [0, 1_764_134_400_000, 1_764_134_400_001, 1_764_134_401_999]) {
      jest.spyOn(Date, "now").mockReturnValue(ms);
      expect(time()).toBe(pino.stdTimeFunctions.isoTime());
      expect(time()).toBe(`,"time":"${new Date(ms).toISOString()}"`);
    }
  });

  it("renders the time once per millisecond, however many lines share it", () => {
    const time = isoTimeOncePerMs();
    const now = jest.spyOn(Date, "now").mockReturnValue(1_764_134_400_000);
    const render = jest.spyOn(Date.prototype, "toISOString");
    for (let i = 0; i < 10; i += 1) time();
    expect(render).toHaveBeenCalledTimes(1);
    now.mockReturnValue(1_764_134_400_001);
    expect(time()).toBe(',"time":"2025-11-26T05:20:00.001Z"');
    expect(render).toHaveBeenCalledTimes(2);
  });
});

describe("levelOf (which lines the turn-buffered destination writes at once)", () => {
  it("reads pino's level from the start of the line", () => {
    expect(levelOf('{"level":30,"time":"x","msg":"a"}\n')).toBe(30);
    expect(levelOf('{"level":40,"msg":"b"}\n')).toBe(40);
    expect(levelOf('{"level":60,"msg":"c"}\n')).toBe(60);
    expect(levelOf('{"level":10,"msg":"d"}\n')).toBe(10);
  });

  it("reads other widths, and counts a line of unknown shape as urgent", () => {
    expect(levelOf('{"level":5,"msg":"a"}\n')).toBe(5);
    expect(levelOf('{"level":100,"msg":"a"}\n')).toBe(100);
    expect(levelOf('{"msg":"no level first"}\n')).toBe(Number.POSITIVE_INFINITY);
    expect(levelOf("plain text\n")).toBe(Number.POSITIVE_INFINITY);
    expect(levelOf('{"level":"info"}\n')).toBe(Number.POSITIVE_INFINITY);
  });
});
