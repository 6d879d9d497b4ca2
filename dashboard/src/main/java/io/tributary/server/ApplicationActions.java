package io.tributary.server;

import io.tributary.apply.Overrides;
import io.tributary.server.auth.Caller;

/** STAND-IN for the lead's auth contract (replaced when the "auth:" commits are merged). */
public final class ApplicationActions {
    private final Overrides overrides;

    public ApplicationActions(Overrides overrides) {
        this.overrides = overrides;
    }

    public void run(Caller caller, String team, String name, String action, String reason, boolean drain) {
        String app = team + "/" + name;
        switch (action) {
            case "stop" -> overrides.stop(app, caller.user(), reason, drain);
            case "start" -> overrides.start(app, caller.user(), reason);
            case "restart" -> overrides.restart(app, caller.user(), reason);
            case "savepoint" -> overrides.savepoint(app, caller.user(), reason);
            case "pause-sync" -> overrides.pauseSync(app, caller.user(), reason);
            case "resume-sync" -> overrides.resumeSync(app, caller.user(), reason);
            case "release-override" -> overrides.release(app, caller.user(), reason);
            default -> throw new IllegalArgumentException("unknown action " + action);
        }
    }
}
