package dev.puna.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/1.1 client over a socket for the tests that need control a library would hide: stop reading
 * (backpressure), or drop the connection mid-stream (disconnect). Reads chunked NDJSON line by line.
 */
final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private int chunkLeft;
    private boolean ended;
    int status;

    /** Connects, with a small receive buffer when {@code receiveBuffer > 0}. */
    RawHttp(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
    }

    /** Sends a POST and reads the status line and headers. */
    RawHttp post(String path, String json) throws IOException {
        return send(path, json).head();
    }

    /** Sends a POST with an API key, without waiting for the answer. */
    RawHttp sendWithKey(String path, String json, String key) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + key + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return this;
    }

    /** Sends a POST without waiting for the answer (the server writes its head with the first token). */
    RawHttp send(String path, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return this;
    }

    /** Reads the status line and headers. */
    RawHttp head() throws IOException {
        String statusLine = rawLine();
        status = Integer.parseInt(statusLine.split(" ")[1]);
        while (!rawLine().isEmpty()) {
            // headers: the tests only need the status and the chunked body
        }
        return this;
    }

    /** The next NDJSON line of the chunked body, or null at its end. */
    String line() throws IOException {
        while (true) {
            byte[] buf = pending.toByteArray();
            for (int i = 0; i < buf.length; i++) {
                if (buf[i] == '\n') {
                    pending.reset();
                    pending.write(buf, i + 1, buf.length - i - 1);
                    return new String(buf, 0, i, StandardCharsets.UTF_8);
                }
            }
            if (ended) {
                return null;
            }
            if (chunkLeft == 0) {
                String size = rawLine();
                if (size.isEmpty()) {
                    size = rawLine(); // the CRLF after the previous chunk's data
                }
                chunkLeft = Integer.parseInt(size.strip(), 16);
                if (chunkLeft == 0) {
                    ended = true;
                    continue;
                }
            }
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed mid-chunk");
            }
            pending.write(b);
            chunkLeft--;
        }
    }

    private String rawLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b < 0 && line.size() == 0) {
            throw new IOException("connection closed");
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
