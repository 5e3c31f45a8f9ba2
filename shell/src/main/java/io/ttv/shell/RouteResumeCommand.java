package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "ttv", name = "route-resume", description = "Resumes one of this node's Camel routes")
@Service
public class RouteResumeCommand extends TtvAction {
    @Argument(index = 0, name = "id", description = "Route id (see ttv:routes)", required = true)
    @Completion(RouteIdCompleter.class)
    String id;

    @Override
    void run(PipelineOperations ops) {
        System.out.println(ops.controlRoute(id, PipelineOperations.RouteAction.RESUME));
    }
}
