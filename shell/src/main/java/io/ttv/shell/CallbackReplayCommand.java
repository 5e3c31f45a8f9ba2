package io.ttv.shell;

import io.ttv.pipeline.ops.OperationException;
import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "ttv", name = "callback-replay", description = "Sends dead-lettered callbacks again; one that "
        + "fails again is dead-lettered anew")
@Service
public class CallbackReplayCommand extends TtvAction {
    @Argument(index = 0, name = "id", description = "Dead-letter id (see ttv:callbacks)")
    @Completion(DeadLetterIdCompleter.class)
    String id;

    @Option(name = "--all", aliases = "-a", description = "Replay every dead letter")
    boolean all;

    @Override
    void run(PipelineOperations ops) {
        if (all == (id != null)) {
            throw new OperationException("Give either a dead-letter id or --all");
        }
        if (all) {
            int n = ops.replayAllCallbacks();
            System.out.println("Replayed " + n + " callback" + (n == 1 ? "" : "s"));
        } else {
            System.out.println(ops.replayCallback(id));
        }
    }
}
