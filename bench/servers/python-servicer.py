"""The second baseline of `pnpm bench`: an agent service shaped like flytekit's.

A grpc.aio server whose async servicer does what flytekit's AsyncAgentService does per call:
decode the request, look the agent up in a registry by task category, decode resource_meta
(JSON) into the agent's metadata dataclass, await the agent, and build a Resource reply. The
message classes are built at start-up from a serialized FileDescriptorSet of the flyteidl agent
protocol (written by the bench), so nothing is generated or downloaded.

Usage: python3 python-servicer.py <descriptor-set file> [port]
Prints "listening <port>" once bound. Needs Debian's python3-grpcio and python3-protobuf.
"""

import asyncio
import base64
import json
import math
import sys
import time
from dataclasses import asdict, dataclass

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# Well-known types the flyteidl files import; importing them registers them in the default pool.
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2, wrappers_pb2  # noqa: F401


def load_messages(path):
    """Adds every file of the FileDescriptorSet to the default pool; returns a class lookup."""
    with open(path, "rb") as f:
        files = descriptor_pb2.FileDescriptorSet.FromString(f.read()).file
    pool = descriptor_pool.Default()
    for file in files:
        try:
            pool.FindFileByName(file.name)
        except KeyError:
            pool.AddSerializedFile(file.SerializeToString())
    factory = None if hasattr(message_factory, "GetMessageClass") else message_factory.MessageFactory(pool)

    def message(full_name):
        desc = pool.FindMessageTypeByName(full_name)
        return message_factory.GetMessageClass(desc) if factory is None else factory.GetPrototype(desc)

    def enum_value(enum_name, value_name):
        return pool.FindEnumTypeByName(enum_name).values_by_name[value_name].number

    return message, enum_value


class AgentNotFound(Exception):
    pass


@dataclass
class JobMetadata:
    """The custom_task agent's resource_meta as JSON (flytekit's ResourceMeta.encode/decode), with
    the fields of @flyte-agent/template's CustomJobMeta, so both servers read each other's meta."""

    jobId: str
    startedAt: float
    durationMs: float
    fail: bool = False
    outputs: str = ""

    def encode(self):
        return json.dumps(asdict(self), separators=(",", ":")).encode("utf-8")

    @classmethod
    def decode(cls, data):
        value = json.loads(data.decode("utf-8"))
        if "seconds" in value:  # the bench's stand-in agent (bench/agents/custom-task.cjs)
            return cls(jobId=value["jobId"], startedAt=value["startedAt"], durationMs=value["seconds"] * 1000)
        return cls(**value)


@dataclass
class Resource:
    phase: int
    message: str = ""
    log_links: tuple = ()
    outputs: object = None


class CustomTaskAgent:
    """Category custom_task v0 like @flyte-agent/template's agent: a job that runs for
    custom.durationSeconds (default 1 s) and then succeeds with its inputs as outputs."""

    name = "Custom Agent"
    task_category = ("custom_task", 0)
    metadata_type = JobMetadata

    def __init__(self, phases, literal_map):
        self.phases = phases
        self.LiteralMap = literal_map

    async def create(self, task_template, inputs, task_execution_metadata):
        custom = task_template.custom
        duration = custom.fields["durationSeconds"].number_value if "durationSeconds" in custom.fields else 1
        fail = custom.fields["fail"].bool_value if "fail" in custom.fields else False
        encoded = inputs.SerializeToString() if inputs is not None else b""
        te = task_execution_metadata.task_execution_id
        ex = te.node_execution_id.execution_id
        job_id = "-".join([ex.project, ex.domain, ex.name, te.node_execution_id.node_id, str(te.retry_attempt)])
        return JobMetadata(
            jobId=job_id,
            startedAt=time.time() * 1000,
            durationMs=round(duration * 1000),
            fail=fail,
            outputs=base64.b64encode(encoded).decode("ascii"),
        )

    async def get(self, resource_meta):
        left = resource_meta.startedAt + resource_meta.durationMs - time.time() * 1000
        if left > 0:
            return Resource(self.phases["RUNNING"], f"job {resource_meta.jobId} running, {math.ceil(left / 1000)} s left")
        if resource_meta.fail:
            return Resource(self.phases["FAILED"], f"job {resource_meta.jobId} failed because the task set custom.fail = true")
        outputs = self.LiteralMap.FromString(base64.b64decode(resource_meta.outputs))
        return Resource(self.phases["SUCCEEDED"], f"job {resource_meta.jobId} succeeded", (), outputs)

    async def delete(self, resource_meta):
        return None


class AgentRegistry:
    def __init__(self):
        self.agents = {}

    def register(self, agent):
        self.agents[agent.task_category] = agent

    def get_agent(self, name, version=0):
        agent = self.agents.get((name, version))
        if agent is None:
            raise AgentNotFound(f"Cannot find agent for task category: {name} version: {version}")
        return agent


class Servicer:
    """AsyncAgentService and AgentMetadataService, one coroutine per call."""

    def __init__(self, message, registry, counters):
        self.m = message
        self.registry = registry
        self.counters = counters
        self.TaskLog = message("flyteidl.core.TaskLog")
        self.ResourceIdl = message("flyteidl.admin.Resource")

    def _resource(self, res):
        return self.ResourceIdl(
            phase=res.phase,
            message=res.message,
            log_links=[self.TaskLog(name=n, uri=u) for n, u in res.log_links],
            outputs=res.outputs,
        )

    async def _metered(self, operation, context, work):
        started = time.perf_counter()
        try:
            reply = await work()
            self.counters[(operation, "success")] = self.counters.get((operation, "success"), 0) + 1
            return reply
        except AgentNotFound as err:
            self.counters[(operation, "failure")] = self.counters.get((operation, "failure"), 0) + 1
            await context.abort(grpc.StatusCode.NOT_FOUND, str(err)[:200])
        except Exception as err:  # noqa: BLE001 - the servicer answers INTERNAL like flytekit's
            self.counters[(operation, "failure")] = self.counters.get((operation, "failure"), 0) + 1
            await context.abort(grpc.StatusCode.INTERNAL, f"failed to {operation}: {err}"[:200])
        finally:
            self.counters[(operation, "seconds")] = self.counters.get((operation, "seconds"), 0) + time.perf_counter() - started

    async def CreateTask(self, request, context):
        async def work():
            template = request.template
            agent = self.registry.get_agent(template.type, template.task_type_version)
            inputs = request.inputs if request.HasField("inputs") else None
            meta = await agent.create(template, inputs, request.task_execution_metadata)
            return self.m("flyteidl.admin.CreateTaskResponse")(resource_meta=meta.encode())

        return await self._metered("create", context, work)

    async def GetTask(self, request, context):
        async def work():
            category = request.task_category
            agent = self.registry.get_agent(category.name or request.task_type, category.version)
            res = await agent.get(agent.metadata_type.decode(request.resource_meta))
            return self.m("flyteidl.admin.GetTaskResponse")(resource=self._resource(res))

        return await self._metered("get", context, work)

    async def DeleteTask(self, request, context):
        async def work():
            category = request.task_category
            agent = self.registry.get_agent(category.name or request.task_type, category.version)
            await agent.delete(agent.metadata_type.decode(request.resource_meta))
            return self.m("flyteidl.admin.DeleteTaskResponse")()

        return await self._metered("delete", context, work)

    def _agent_idl(self, agent):
        name, version = agent.task_category
        return self.m("flyteidl.admin.Agent")(
            name=agent.name,
            is_sync=False,
            supported_task_categories=[self.m("flyteidl.admin.TaskCategory")(name=name, version=version)],
        )

    async def ListAgents(self, request, context):
        agents = [self._agent_idl(a) for a in self.registry.agents.values()]
        return self.m("flyteidl.admin.ListAgentsResponse")(agents=agents)

    async def GetAgent(self, request, context):
        for agent in self.registry.agents.values():
            if agent.name == request.name:
                return self.m("flyteidl.admin.GetAgentResponse")(agent=self._agent_idl(agent))
        await context.abort(grpc.StatusCode.NOT_FOUND, f"Cannot find agent for name: {request.name[:200]}")


def handlers(servicer, message):
    def unary(method, request_type, reply_type):
        return grpc.unary_unary_rpc_method_handler(
            method,
            request_deserializer=message(request_type).FromString,
            response_serializer=message(reply_type).SerializeToString,
        )

    tasks = grpc.method_handlers_generic_handler(
        "flyteidl.service.AsyncAgentService",
        {
            "CreateTask": unary(servicer.CreateTask, "flyteidl.admin.CreateTaskRequest", "flyteidl.admin.CreateTaskResponse"),
            "GetTask": unary(servicer.GetTask, "flyteidl.admin.GetTaskRequest", "flyteidl.admin.GetTaskResponse"),
            "DeleteTask": unary(servicer.DeleteTask, "flyteidl.admin.DeleteTaskRequest", "flyteidl.admin.DeleteTaskResponse"),
        },
    )
    metadata = grpc.method_handlers_generic_handler(
        "flyteidl.service.AgentMetadataService",
        {
            "ListAgents": unary(servicer.ListAgents, "flyteidl.admin.ListAgentsRequest", "flyteidl.admin.ListAgentsResponse"),
            "GetAgent": unary(servicer.GetAgent, "flyteidl.admin.GetAgentRequest", "flyteidl.admin.GetAgentResponse"),
        },
    )
    return (tasks, metadata)


async def serve(descriptor_file, port):
    message, enum_value = load_messages(descriptor_file)
    phase = "flyteidl.core.TaskExecution.Phase"
    registry = AgentRegistry()
    phases = {p: enum_value(phase, p) for p in ("RUNNING", "SUCCEEDED", "FAILED")}
    registry.register(CustomTaskAgent(phases, message("flyteidl.core.LiteralMap")))
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 128 * 1024 * 1024)])
    server.add_generic_rpc_handlers(handlers(Servicer(message, registry, {}), message))
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    print(f"listening {bound}", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python3 python-servicer.py <descriptor-set file> [port]")
    asyncio.run(serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0))
