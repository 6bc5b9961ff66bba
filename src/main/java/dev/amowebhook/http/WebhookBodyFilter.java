package dev.amowebhook.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sits in front of the webhook POST endpoints and reads the body itself, up to a limit, as opaque bytes.
 * <p>Why: left alone, platform-http parses a form body into Camel headers (a field named {@code X-Signature}
 * would merge into the real header), throws a 500 page on a key without '=', breaks on invalid UTF-8,
 * has no size limit, and loses the exact bytes an HMAC needs. Downstream the request looks body-less and
 * parameter-less; the route takes the captured {@link InboundRequest} from a request attribute.
 */
public class WebhookBodyFilter extends OncePerRequestFilter {

    static final String PATH = "/api/webhooks/amo";

    private final WebhookProperties properties;

    public WebhookBodyFilter(WebhookProperties properties) {
        this.properties = properties;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return true;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals(PATH) || path.startsWith(PATH + "/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = properties.maxBodyBytes();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(
                (int) Math.min(Math.max(request.getContentLengthLong(), 256), limit));
        long size = 0;
        boolean tooLarge = request.getContentLengthLong() > limit;
        if (!tooLarge) {
            InputStream in = request.getInputStream();
            byte[] chunk = new byte[8192];
            long deadline = System.nanoTime() + properties.readTimeout().toNanos();
            int n;
            while ((n = in.read(chunk)) != -1) {
                if (System.nanoTime() > deadline) {
                    refuseSlowBody(response);
                    return;
                }
                size += n;
                if (size > limit) {
                    tooLarge = true;
                    break;
                }
                buffer.write(chunk, 0, n);
            }
        } else {
            size = request.getContentLengthLong();
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        String pathToken = path.length() > PATH.length() + 1 ? percentDecode(path.substring(PATH.length() + 1)) : null;
        byte[] body = tooLarge ? new byte[0] : buffer.toByteArray();
        InboundRequest inbound = new InboundRequest(
                UUID.randomUUID(),
                Instant.now(),
                body,
                size,
                tooLarge,
                tooLarge ? null : sha256(body),
                request.getContentType(),
                requestId(request.getHeader("X-Amocrm-Requestid")),
                Collections.list(request.getHeaders(properties.signatureHeader())),
                pathToken,
                queryParameter(request.getQueryString(), "token"),
                request.getRemoteAddr());
        request.setAttribute(InboundRequest.ATTRIBUTE, inbound);
        chain.doFilter(new OpaqueBodyRequest(request), response);
    }

    /** A blank header names no request: kept, it would make every such request a duplicate of the first. */
    private static String requestId(String header) {
        return header == null || header.isBlank() ? null : header;
    }

    /** Answered here, not in the route: the body never fully arrived, so there is nothing to journal. */
    private void refuseSlowBody(HttpServletResponse response) throws IOException {
        response.setStatus(408);
        response.setContentType("application/json");
        response.setHeader("Connection", "close");
        response.getWriter().write("{\"status\":408,\"error\":\"request body not received within "
                + properties.readTimeout().toSeconds() + " s\",\"code\":\"body_too_slow\"}");
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A path segment as sent: %XX decoded, '+' left as it is (it means space only in forms and queries). */
    static String percentDecode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }

    /** Reads one query parameter without letting the servlet container parse the body as a form. */
    static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                try {
                    return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }

    /** The request as the framework sees it after the filter: no body, no parameters, an opaque type. */
    private static final class OpaqueBodyRequest extends HttpServletRequestWrapper {

        private static final String OPAQUE = "application/octet-stream";

        OpaqueBodyRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getContentType() {
            return OPAQUE;
        }

        @Override
        public int getContentLength() {
            return 0;
        }

        @Override
        public long getContentLengthLong() {
            return 0;
        }

        @Override
        public String getHeader(String name) {
            if ("Content-Type".equalsIgnoreCase(name)) {
                return OPAQUE;
            }
            if ("Content-Length".equalsIgnoreCase(name)) {
                return "0";
            }
            return super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            String replaced = "Content-Type".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name)
                    ? getHeader(name) : null;
            return replaced != null ? Collections.enumeration(List.of(replaced)) : super.getHeaders(name);
        }

        @Override
        public String getParameter(String name) {
            return null;
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            return Collections.emptyMap();
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.emptyEnumeration();
        }

        @Override
        public String[] getParameterValues(String name) {
            return null;
        }

        @Override
        public ServletInputStream getInputStream() {
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return true;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("not asynchronous");
                }

                @Override
                public int read() {
                    return -1;
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.StringReader(""));
        }
    }
}
