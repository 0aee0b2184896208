package io.quiver.protocol.body;

import java.util.ArrayList;
import java.util.List;

/** CONTROLLER_GET_METADATA_INFO's body: a controller's view of the controllers and of every broker group. */
public final class ControllerMetadata {
    public String selfId;
    public String leaderId;
    public boolean leader;
    /** id-host:port of every controller (their Raft addresses). */
    public String peers;
    public List<ControllerGroupView> groups = new ArrayList<>();
    /** Elections this controller applied since it started. */
    public long elections;
    /** In-sync set changes this controller applied since it started. */
    public long inSyncChanges;
}
