import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection that posts signed webhook bodies and reads the answers: the few bytes a
 * load tool has to handle, without a general client's machinery. Reconnects after the server closed it.
 */
final class RawHttp implements AutoCloseable {

    record Answer(int status, String body) {
    }

    private static final int TIMEOUT_MS = 10_000;

    private final String host;
    private final int port;
    private final String head;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RawHttp(URI url) {
        this.host = url.getHost();
        this.port = url.getPort() < 0 ? 80 : url.getPort();
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        this.head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: application/x-www-form-urlencoded\r\nUser-Agent: amoCRM-Webhooks/3.0\r\n";
    }

    Answer post(HttpLoad.Line line) throws IOException {
        boolean reused = socket != null;
        try {
            return exchange(line);
        } catch (EOFException | java.net.SocketException e) {
            close();
            if (!reused) {
                throw e;
            }
            return exchange(line); // the server closed an idle keep-alive connection: once more on a new one
        }
    }

    private Answer exchange(HttpLoad.Line line) throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(TIMEOUT_MS);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }
        String headers = head + "X-Amocrm-Requestid: " + line.requestId() + "\r\nX-Signature: " + line.signature()
                + "\r\nContent-Length: " + line.body().length + "\r\n\r\n";
        out.write(headers.getBytes(StandardCharsets.US_ASCII));
        out.write(line.body());
        out.flush();
        return read();
    }

    private Answer read() throws IOException {
        String statusLine = readLine();
        if (statusLine == null) {
            throw new EOFException("connection closed before the answer");
        }
        if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine, e);
        }
        long length = -1;
        boolean chunked = false;
        boolean close = false;
        String header;
        while ((header = readLine()) != null && !header.isEmpty()) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (status < 200 || status == 204 || status == 304) {
            // no body by definition
        } else if (chunked) {
            long size;
            while ((size = chunkSize(requiredLine())) > 0) {
                copy(size, body);
                requiredLine();
            }
            while (!requiredLine().isEmpty()) {
                // trailers
            }
        } else if (length >= 0) {
            copy(length, body);
        } else {
            in.transferTo(body);
            close = true;
        }
        if (close) {
            close();
        }
        return new Answer(status, body.toString(StandardCharsets.UTF_8));
    }

    private static long chunkSize(String line) throws IOException {
        try {
            return Long.parseLong(line.trim().split(";")[0], 16);
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size: " + line, e);
        }
    }

    private String requiredLine() throws IOException {
        String line = readLine();
        if (line == null) {
            throw new EOFException("answer cut short");
        }
        return line;
    }

    private void copy(long length, ByteArrayOutputStream to) throws IOException {
        byte[] buffer = new byte[(int) Math.min(length, 8192)];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("answer cut short");
            }
            to.write(buffer, 0, n);
            left -= n;
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        socket = null;
        in = null;
        out = null;
    }
}
