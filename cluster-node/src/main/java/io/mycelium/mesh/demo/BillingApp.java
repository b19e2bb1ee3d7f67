package io.mycelium.mesh.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The demo app of the mesh, {@code billing}: a tiny HTTP server on 127.0.0.1:$PORT, JDK only. {@code /health}
 * answers 200 (503 when {@code HEALTH=fail}, to show a rollout that never gets healthy), {@code /hello} says which
 * version and process answered, and any other path echoes the method, the path and the request body.
 */
public final class BillingApp {
    private BillingApp() {}

    /** Serves until SIGTERM. */
    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8081"));
        String version = System.getenv().getOrDefault("VERSION", "v1");
        boolean healthy = !"fail".equals(System.getenv("HEALTH"));
        long pid = ProcessHandle.current().pid();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/health", exchange -> reply(exchange, healthy ? 200 : 503, healthy ? "ok\n" : "sick\n"));
        server.createContext(
                "/hello", exchange -> reply(exchange, 200, "hello from billing " + version + " (pid " + pid + ")\n"));
        server.createContext("/", BillingApp::echo);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(1)));
        server.start();
        System.out.println("billing " + version + " listening on 127.0.0.1:" + port + " (pid " + pid + ")");
    }

    private static void echo(HttpExchange exchange) throws IOException {
        String head = "billing: " + exchange.getRequestMethod() + " " + exchange.getRequestURI() + "\n";
        exchange.getResponseHeaders().set("content-type", "text/plain");
        exchange.sendResponseHeaders(200, 0);
        try (InputStream in = exchange.getRequestBody();
                OutputStream out = exchange.getResponseBody()) {
            out.write(head.getBytes(StandardCharsets.UTF_8));
            in.transferTo(out);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "text/plain");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
