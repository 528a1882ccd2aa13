// The shared setup lets tests reach loopback only, without taking over the sockets it allows.
import { describe, expect, it } from "@jest/globals";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";

describe("network isolation", () => {
  it("refuses a connection to another host at once, naming it", async () => {
    const error = await new Promise<Error & { code?: string }>((resolve) => {
      const socket = net.connect({ host: "example.com", port: 443 });
      socket.on("error", resolve);
    });
    expect(error.code).toBe("ECONNREFUSED");
    expect(error.message).toBe(
      "connect ECONNREFUSED example.com: tests reach only loopback addresses (test/setup).",
    );
    const failed = await fetch("https://tenant.eu.qlikcloud.com/api/v1/spaces").catch((e: Error) => e);
    expect(((failed as Error).cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("lets loopback through untouched", async () => {
    const server = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: "close" } });
      expect(await res.text()).toBe("ok");
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
