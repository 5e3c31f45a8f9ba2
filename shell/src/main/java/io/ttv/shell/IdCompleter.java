package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.List;

/** Completes from a list the node's {@link PipelineOperations} gives; nothing while the pipeline is not running. */
abstract class IdCompleter implements Completer {
    @Reference(optional = true)
    PipelineOperations ops;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        if (ops == null) {
            return -1;
        }
        List<String> values;
        try {
            values = values(ops);
        } catch (RuntimeException e) {
            return -1; // Redis unreachable: no completion rather than an error while typing
        }
        return new StringsCompleter(values).complete(session, commandLine, candidates);
    }

    abstract List<String> values(PipelineOperations ops);
}
