import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveConfig, TOKEN_ENV } from "./config.js";

const TOKEN = "a-token-of-24-characters";

function files(contents: Readonly<Record<string, string | undefined>>): (file: string) => string {
  return (file) => {
    const content = contents[file];
    if (content === undefined) throw new Error(`ENOENT: ${file}`);
    return content;
  };
}

describe("resolveConfig", () => {
  it.each([
    {
      name: "everything from the config file, defaults for the rest",
      args: ["--config", "/c.json"],
      env: {},
      files: { "/c.json": JSON.stringify({ port: 8080, adminToken: TOKEN, stateFile: "/s.json" }) },
      expected: {
        host: DEFAULTS.host,
        port: 8080,
        adminToken: TOKEN,
        stateFile: "/s.json",
        requestsPerSecond: 20,
        seed: 1,
      },
    },
    {
      name: "flags override the file",
      args: ["--config", "/c.json", "--port", "9090", "--rate", "5.5", "--seed", "42", "--host", "0.0.0.0"],
      env: {},
      files: {
        "/c.json": JSON.stringify({
          port: 8080,
          adminToken: TOKEN,
          stateFile: "/s.json",
          requestsPerSecond: 50,
        }),
      },
      expected: {
        host: "0.0.0.0",
        port: 9090,
        adminToken: TOKEN,
        stateFile: "/s.json",
        requestsPerSecond: 5.5,
        seed: 42,
      },
    },
    {
      name: "flags only, the token from the environment, the load generator off",
      args: ["--port", "0", "--state-file", "/s.json", "--rate", "0"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      expected: {
        host: DEFAULTS.host,
        port: 0,
        adminToken: TOKEN,
        stateFile: "/s.json",
        requestsPerSecond: 0,
        seed: 1,
      },
    },
    {
      name: "the token from a file, trimmed",
      args: ["--port", "1", "--state-file", "/s.json", "--admin-token-file", "/t"],
      env: { [TOKEN_ENV]: "ignored-because-a-file-is-named" },
      files: { "/t": `${TOKEN}\n` },
      expected: {
        host: DEFAULTS.host,
        port: 1,
        adminToken: TOKEN,
        stateFile: "/s.json",
        requestsPerSecond: 20,
        seed: 1,
      },
    },
  ])("$name", ({ args, env, files: contents, expected }) => {
    expect(resolveConfig(args, env, files(contents))).toEqual(expected);
  });

  it.each([
    {
      name: "no state file",
      args: ["--port", "1"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      error: /a state file is required/,
    },
    {
      name: "no token",
      args: ["--port", "1", "--state-file", "/s"],
      env: {},
      files: {},
      error: /an admin token of at least 16 characters/,
    },
    {
      name: "a short token",
      args: ["--port", "1", "--state-file", "/s"],
      env: { [TOKEN_ENV]: "short" },
      files: {},
      error: /at least 16 characters/,
    },
    {
      name: "no port",
      args: ["--state-file", "/s"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      error: /port is required/,
    },
    {
      name: "a port out of range",
      args: ["--port", "70000", "--state-file", "/s"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      error: /port must be a number from 0 to 65535, got "70000"/,
    },
    {
      name: "a fractional port",
      args: ["--port", "80.5", "--state-file", "/s"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      error: /port must be a whole number/,
    },
    {
      name: "a rate that is not a number",
      args: ["--port", "1", "--state-file", "/s", "--rate", "fast"],
      env: { [TOKEN_ENV]: TOKEN },
      files: {},
      error: /rate must be a number from 0 to 1000, got "fast"/,
    },
    { name: "an unknown flag", args: ["--prot", "1"], env: {}, files: {}, error: /Unknown option '--prot'/ },
    {
      name: "a config file that is not JSON",
      args: ["--config", "/c.json"],
      env: {},
      files: { "/c.json": "port: 1" },
      error: /config file \/c\.json is not valid JSON/,
    },
    {
      name: "a config file with an unknown key",
      args: ["--config", "/c.json"],
      env: {},
      files: { "/c.json": '{"rate": 5}' },
      error: /unknown keys rate; valid keys: host, port, adminToken, stateFile, requestsPerSecond, seed/,
    },
  ])("refuses $name", ({ args, env, files: contents, error }) => {
    expect(() => resolveConfig(args, env, files(contents))).toThrow(error);
  });
});
