package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import io.ttv.pipeline.ops.PipelineOperations.RouteAction;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

import java.util.Locale;

@Command(scope = "ttv", name = "route", description = "Stops, starts, suspends or resumes one of this node's Camel "
        + "routes (graceful: in-flight exchanges finish first) and prints its new state")
@Service
public class RouteCommand extends TtvAction {
    @Argument(index = 0, name = "action", description = "stop, start, suspend or resume", required = true)
    @Completion(values = {"stop", "start", "suspend", "resume"}, value = StringsCompleter.class)
    String action;

    @Argument(index = 1, name = "id", description = "Route id (see ttv:routes)", required = true)
    @Completion(RouteIdCompleter.class)
    String id;

    @Override
    void run(PipelineOperations ops) {
        RouteAction a;
        try {
            a = RouteAction.valueOf(action.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            System.out.println("Unknown action " + action + ": use stop, start, suspend or resume");
            return;
        }
        System.out.println(ops.controlRoute(id, a));
    }
}
