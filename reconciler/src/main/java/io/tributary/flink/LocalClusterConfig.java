package io.tributary.flink;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configuration of a managed local cluster: the home's, then what we manage, then the user's. */
final class LocalClusterConfig {
    private LocalClusterConfig() {}

    static final String LOOPBACK = "127.0.0.1";

    /** Ports chosen for one cluster; TaskManager ports stay 0 (any free one), as Flink allows there. */
    record Ports(int rest, int rpc, int blob) {}

    /**
     * Options with an old and a new name (both read by 1.20 and 2.x, the new one first): a user's
     * value under either name must replace ours, so we drop the other names when the user sets one.
     */
    static final List<List<String>> ALIASES = List.of(
            List.of("execution.checkpointing.dir", "state.checkpoints.dir"),
            List.of("execution.checkpointing.savepoint-dir", "state.savepoints.dir"));

    static Map<String, Object> build(Map<String, Object> homeConfig, Ports ports, int slots, Path clusterDir,
            Map<String, String> userConfig) {
        Map<String, Object> config = new LinkedHashMap<>(homeConfig);
        // everything on the loopback interface: a managed local cluster is for this machine only
        config.put("jobmanager.rpc.address", LOOPBACK);
        config.put("jobmanager.bind-host", LOOPBACK);
        config.put("jobmanager.rpc.port", String.valueOf(ports.rpc()));
        config.put("rest.address", LOOPBACK);
        config.put("rest.bind-address", LOOPBACK);
        config.put("rest.port", String.valueOf(ports.rest()));
        config.remove("rest.bind-port");
        config.put("blob.server.port", String.valueOf(ports.blob()));
        config.put("taskmanager.host", LOOPBACK);
        config.put("taskmanager.bind-host", LOOPBACK);
        config.put("taskmanager.rpc.port", "0");
        config.put("taskmanager.data.port", "0");
        config.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        // the processes' scratch space (TaskManager working dirs, blobs) goes away with the cluster
        config.put("io.tmp.dirs", clusterDir.resolve("tmp").toString());
        config.putIfAbsent("web.refresh-interval", "200");
        putDefaultUnlessAliased(config, ALIASES.get(0), "file://" + clusterDir.resolve("checkpoints"));
        putDefaultUnlessAliased(config, ALIASES.get(1), "file://" + clusterDir.resolve("savepoints"));
        for (Map.Entry<String, String> e : userConfig.entrySet()) {
            for (List<String> group : ALIASES) {
                if (group.contains(e.getKey())) {
                    group.forEach(config::remove);
                }
            }
            config.put(e.getKey(), e.getValue());
        }
        return config;
    }

    private static void putDefaultUnlessAliased(Map<String, Object> config, List<String> names, String value) {
        if (names.stream().noneMatch(config::containsKey)) {
            config.put(names.get(0), value);
        }
    }

    static String text(Map<String, Object> config, String key) {
        Object value = config.get(key);
        return value == null ? null : String.valueOf(value);
    }
}
