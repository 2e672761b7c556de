// The language server inside the process that uses it (the VS Code extension host): a pair of
// in-memory streams instead of stdio, so the server shares the host's loaded replay and cursor.

import { PassThrough } from "node:stream";
import { createConnection } from "vscode-languageserver/lib/common/server";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageReader,
  type MessageWriter,
} from "vscode-languageserver/node";
import { startServer, type ServerHost } from "./server";

export interface InProcessServer {
  /** The client's ends: read what the server sends, write what the server reads. */
  reader: MessageReader;
  writer: MessageWriter;
  dispose(): void;
}

export function startInProcessServer(host: ServerHost): InProcessServer {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Not `vscode-languageserver/node`'s createConnection: its `exit` handling and parent-process
  // watch end the process, which here is the extension host.
  const connection = createConnection(
    (logger) =>
      createProtocolConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient), logger),
    {
      shutdownReceived: false,
      initialize: () => undefined,
      exit: () => connection.dispose(),
    },
  );
  startServer(connection, host);
  connection.listen();
  return {
    reader: new StreamMessageReader(toClient),
    writer: new StreamMessageWriter(toServer),
    dispose: () => {
      connection.dispose();
      toServer.end();
      toClient.end();
    },
  };
}
