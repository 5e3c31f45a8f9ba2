package io.ttv.shell;

import io.ttv.pipeline.ops.OperationException;
import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.lifecycle.Reference;

import java.time.Duration;

/**
 * Base of the {@code ttv:*} commands: the node's {@link PipelineOperations} (optional, so that the commands exist and
 * say why they cannot work while the pipeline is stopped) and one-line errors.
 */
abstract class TtvAction implements Action {
    static final String NOT_RUNNING = "TTV Pipeline is not running on this node (see feature:list | grep ttv "
            + "and log:display)";

    @Reference(optional = true)
    PipelineOperations ops;

    @Override
    public final Object execute() throws Exception {
        if (ops == null) {
            throw new OperationException(NOT_RUNNING);
        }
        run(ops);
        return null;
    }

    abstract void run(PipelineOperations ops) throws Exception;

    static String orDash(Object v) {
        return v == null || v.toString().isEmpty() ? "-" : v.toString();
    }

    /** A duration as the console shows it: 850ms, 12s, 3m05s, 2h10m, 3d04h. */
    static String age(long millis) {
        if (millis < 0) {
            return "-";
        }
        if (millis < 1000) {
            return millis + "ms";
        }
        Duration d = Duration.ofMillis(millis);
        if (d.toMinutes() < 1) {
            return d.toSeconds() + "s";
        }
        if (d.toHours() < 1) {
            return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        }
        if (d.toDays() < 1) {
            return String.format("%dh%02dm", d.toHours(), d.toMinutesPart());
        }
        return String.format("%dd%02dh", d.toDays(), d.toHoursPart());
    }

    static String shorten(String s, int max) {
        if (s == null) {
            return "-";
        }
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
