package io.tributary.server.api;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code /api/docs}: the OpenAPI document rendered by Swagger UI, whose files come from the
 * {@code org.webjars:swagger-ui} jar on the classpath (served under {@code /webjars/}). The script that
 * starts it is a file of its own, not inline, so a strict Content-Security-Policy allows it.
 */
final class ApiDocs {
    private final String page;

    ApiDocs() {
        String base = "/webjars/swagger-ui/" + swaggerUiVersion();
        this.page = """
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Tributary API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script src="/api/docs/init.js"></script>
                </body>
                </html>
                """.formatted(base);
    }

    void page(Context ctx) {
        ctx.html(page);
    }

    void script(Context ctx) {
        ctx.contentType("text/javascript").result("""
                window.onload = function () {
                  window.ui = SwaggerUIBundle({url: '/api/v1/openapi.json', dom_id: '#swagger-ui', deepLinking: true});
                };
                """);
    }

    private static String swaggerUiVersion() {
        String file = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
        try (InputStream in = ApiDocs.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException(file + " is missing: the swagger-ui webjar is not on the classpath");
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
