package io.tributary.cli;

import io.tributary.cli.PlanReport.AppItem;
import io.tributary.cli.PlanReport.Change;
import io.tributary.cli.PlanReport.ClusterItem;
import io.tributary.config.ConfigError;
import io.tributary.config.ErrorFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** How a plan is printed: aligned text for a terminal, a Markdown table for a PR comment, JSON for programs. */
public enum PlanFormat {
    /** One line per change ({@code ~ payments/orders  upgrade (savepoint): job.sql changed}), then the summary. */
    text {
        @Override
        String render(PlanReport report) {
            StringBuilder out = new StringBuilder();
            out.append("Plan: ").append(PlanReport.shorten(report.base())).append(" -> ")
                    .append(PlanReport.shorten(report.head())).append("\n\n");
            int width = 0;
            for (ClusterItem c : report.clusters()) {
                width = Math.max(width, ("cluster " + c.cluster()).length());
            }
            for (AppItem a : report.apps()) {
                width = Math.max(width, a.app().length());
            }
            for (ClusterItem c : report.clusters()) {
                out.append(c.marker()).append(' ').append(pad("cluster " + c.cluster(), width)).append("  ")
                        .append(c.action()).append(": ").append(String.join("; ", clusterReasons(c))).append('\n');
            }
            for (AppItem a : report.apps()) {
                out.append(a.change().marker).append(' ').append(pad(a.app(), width)).append("  ").append(a.label());
                if (!a.reasons().isEmpty()) {
                    out.append(": ").append(String.join("; ", a.reasons()));
                }
                out.append('\n');
            }
            if (report.empty()) {
                out.append("No changes.\n");
            }
            out.append(report.empty() ? "" : "\n").append(report.summary()).append('\n');
            return out.toString();
        }

        @Override
        String renderInvalid(String which, String revision, List<ConfigError> errors) {
            StringBuilder out = new StringBuilder();
            out.append("The ").append(which).append(" revision ").append(PlanReport.shorten(revision)).append(" is invalid; nothing was planned.\n");
            errors.forEach(e -> out.append(e).append('\n'));
            out.append(errors.size()).append(errors.size() == 1 ? " error\n" : " errors\n");
            return out.toString();
        }
    },

    /** A heading, a table of changes and the summary, for a pull or merge request comment. */
    markdown {
        @Override
        String render(PlanReport report) {
            StringBuilder out = new StringBuilder();
            out.append(MARKER).append("\n### Tributary plan\n\n");
            out.append(code(PlanReport.shorten(report.head()))).append(" compared with ")
                    .append(code(PlanReport.shorten(report.base()))).append("\n\n");
            if (!report.clusters().isEmpty()) {
                out.append("| | Cluster | Action | Why |\n|---|---|---|---|\n");
                for (ClusterItem c : report.clusters()) {
                    out.append("| ").append(c.marker()).append(" | ").append(code(c.cluster())).append(" | ")
                            .append(c.action()).append(" | ").append(cell(String.join("; ", clusterReasons(c))))
                            .append(" |\n");
                }
                out.append('\n');
            }
            // what touches a job first; apps that change while suspended (a variable many use) folded away
            List<AppItem> jobs = report.apps().stream().filter(a -> a.change() != Change.UPDATE).toList();
            List<AppItem> suspended = report.apps().stream().filter(a -> a.change() == Change.UPDATE).toList();
            int omitted = appTable(out, jobs, 0);
            if (!suspended.isEmpty()) {
                out.append("<details><summary>").append(suspended.size()).append(suspended.size() == 1
                        ? " suspended application changes" : " suspended applications change")
                        .append(", applied when resumed</summary>\n\n");
                omitted = appTable(out, suspended, omitted);
                out.append("</details>\n\n");
            }
            if (omitted > 0) {
                out.append("_").append(omitted).append(omitted == 1 ? " row is" : " rows are").append(" left out to keep"
                        + " this comment under GitHub's 65,536 characters: `tributary plan` prints every one._\n\n");
            }
            if (report.empty()) {
                out.append("No changes.\n\n");
            }
            out.append("**").append(report.summary()).append("**\n");
            return out.toString();
        }

        /**
         * A table of {@code apps}, as many rows as fit in {@link #COMMENT_BUDGET} once rows were already
         * {@code omitted}; returns how many are left out in all.
         */
        private int appTable(StringBuilder out, List<AppItem> apps, int omitted) {
            if (apps.isEmpty()) {
                return omitted;
            }
            out.append("| | Application | Action | Why |\n|---|---|---|---|\n");
            for (AppItem a : apps) {
                String row = "| " + a.change().marker + " | " + code(a.app()) + " | " + cell(a.label()) + " | "
                        + cell(String.join("; ", a.reasons())) + " |\n";
                if (omitted > 0 || out.length() + row.length() > COMMENT_BUDGET) {
                    omitted++;
                } else {
                    out.append(row);
                }
            }
            out.append('\n');
            return omitted;
        }

        @Override
        String renderInvalid(String which, String revision, List<ConfigError> errors) {
            StringBuilder out = new StringBuilder();
            out.append(MARKER).append("\n### Tributary plan\n\n");
            out.append("The ").append(which).append(" revision ").append(code(PlanReport.shorten(revision)))
                    .append(" is invalid; nothing was planned.\n\n```text\n");
            errors.forEach(e -> out.append(e).append('\n'));
            out.append("```\n\n**").append(errors.size()).append(errors.size() == 1 ? " error" : " errors")
                    .append("**\n");
            return out.toString();
        }
    },

    /**
     * {@code {"revisions": {"base", "head"}, "items": [{"app", "action", "mode", "reasons"}],
     * "clusters": [{"cluster", "action", "reasons", "apps"}], "summary": {...}}}.
     */
    json {
        @Override
        String render(PlanReport report) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            ObjectNode revisions = root.putObject("revisions");
            revisions.put("base", report.base());
            revisions.put("head", report.head());
            if (report.server() != null) {
                root.put("server", report.server());
            }
            ArrayNode items = root.putArray("items");
            for (AppItem a : report.apps()) {
                ObjectNode item = items.addObject();
                item.put("app", a.app());
                item.put("action", a.change().key);
                item.put("mode", a.mode());
                ArrayNode reasons = item.putArray("reasons");
                a.reasons().forEach(reasons::add);
            }
            ArrayNode clusters = root.putArray("clusters");
            for (ClusterItem c : report.clusters()) {
                ObjectNode item = clusters.addObject();
                item.put("cluster", c.cluster());
                item.put("action", c.action());
                ArrayNode reasons = item.putArray("reasons");
                c.reasons().forEach(reasons::add);
                ArrayNode apps = item.putArray("apps");
                c.apps().forEach(apps::add);
            }
            ObjectNode summary = root.putObject("summary");
            for (Map.Entry<Change, Integer> e : report.counts().entrySet()) {
                summary.put(e.getKey().key, e.getValue());
            }
            summary.put("unchanged", report.unchanged());
            ObjectNode clusterSummary = summary.putObject("clusters");
            for (String action : List.of("start", "restart", "stop")) {
                clusterSummary.put(action, report.clusterCount(action));
            }
            summary.put("text", report.summary());
            return write(root);
        }

        @Override
        String renderInvalid(String which, String revision, List<ConfigError> errors) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("valid", false);
            root.put("invalid", which);
            root.put("revision", revision);
            ErrorFormat.putErrors(root, errors);
            return write(root);
        }
    };

    /**
     * Where a Markdown comment stops adding rows: GitHub refuses a comment over 65,536 characters, and the
     * notes and summary after the tables need some.
     */
    static final int COMMENT_BUDGET = 63_000;

    /** Lets a CI job find the comment it posted before and update it instead of adding another. */
    static final String MARKER = "<!-- tributary-plan -->";

    abstract String render(PlanReport report);

    /** Why nothing was planned: {@code which} ("base" or "head") does not load. */
    abstract String renderInvalid(String which, String revision, List<ConfigError> errors);

    private static List<String> clusterReasons(ClusterItem c) {
        if (c.apps().isEmpty()) {
            return c.reasons();
        }
        List<String> all = new java.util.ArrayList<>(c.reasons());
        all.add("stops " + String.join(", ", c.apps()) + (c.apps().size() == 1 ? " and resumes it after the restart, with its state"
                : " and resumes them after the restart, with their state"));
        return all;
    }

    private static String pad(String text, int width) {
        return text + " ".repeat(Math.max(0, width - text.length()));
    }

    private static String code(String text) {
        return "`" + text.replace("`", "'") + "`";
    }

    /** A table cell: pipes escaped, line breaks flattened, so one value never breaks the table. */
    private static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    private static String write(ObjectNode root) {
        return JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    }
}
