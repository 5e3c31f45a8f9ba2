package io.ttv.shell;

import io.ttv.pipeline.ops.PipelineOperations;
import org.apache.karaf.shell.api.action.lifecycle.Service;

import java.util.List;

/** The ids of this node's routes. */
@Service
public class RouteIdCompleter extends IdCompleter {
    @Override
    List<String> values(PipelineOperations ops) {
        return ops.routes().stream().map(PipelineOperations.RouteInfo::id).toList();
    }
}
