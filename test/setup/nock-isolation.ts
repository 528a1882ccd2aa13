// Every test file starts with real network disabled except loopback (the simulator and local test
// servers), and leaves nock restored so the next file in the same worker starts clean.
import { afterAll, afterEach, beforeAll } from "@jest/globals";
import nock from "nock";

beforeAll(() => {
  if (!nock.isActive()) nock.activate();
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/);
});

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});
