"""`ecslearn content new question|lesson|lab PATH`: a commented file that `content check` accepts.

Each scaffold is a small working example (it passes `ecslearn content check PACK` as written), with
comments saying what to change. The id comes from the file name (`quizzes/07-my-topic.yaml` →
`my-topic-...`). A file that exists is never overwritten; the file must be named `NN-slug.yaml` and
sit in the pack's `quizzes/`, `lessons/` or `labs/` folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ecslearn.content.schema import FILE_RE
from ecslearn.errors import UsageError

AREAS = {"question": "quizzes", "lesson": "lessons", "lab": "labs"}

QUESTION = """\
format: 1
title: {title}                   # shown when the quiz starts
questions:
  # One question; copy the block for more. Ids are kebab-case, unique across the pack, never renamed.
  - id: {slug}-new-cluster-status
    kind: predict                # single multi predict config command taskdef order match concept
    topic: clusters              # one of ecslearn's topics (content check suggests the nearest)
    difficulty: easy             # easy | medium | hard
    exams: [SAA-C03:3.1]         # exam code : task statement
    # --- what the learner sees ---------------------------------------------------------------
    prompt: |
      You run `aws ecs create-cluster --cluster-name {{{{ name }}}}`. What `status` does
      `aws ecs describe-clusters --clusters {{{{ name }}}}` report right afterwards?
    # --- maintainer only ---------------------------------------------------------------------
    params:                      # seeded variants: each variant draws a name (delete if not needed)
      name: {{choices: [prod, staging, batch]}}
    setup:                       # the scenario the simulator runs (aws lines or boto3-style calls)
      - aws ecs create-cluster --cluster-name {{{{ name }}}}
    ask: {{call: ecs.describe_clusters, params: {{clusters: ["{{{{ name }}}}"]}}, query: "clusters[0].status"}}
    answer: ACTIVE               # a cross-check: content check fails if the simulator disagrees
    explanation: |
      A cluster is a control-plane object: it is ACTIVE as soon as CreateCluster returns.
    sources:
      - https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html
"""

LESSON = """\
format: 1
id: {slug}                       # stable kebab-case id: progress is keyed by it, never rename
title: {title}
summary: |
  One paragraph saying what the learner will be able to do.
objectives:
  - Create a cluster with the AWS CLI
setup:                           # optional: the starting world (same steps as quiz scenarios)
  - aws ecs list-clusters
steps:
  - id: intro
    title: What you will do
    say: |
      Markdown the learner reads; they type `next` to go on.
  - id: create-cluster
    title: Create a cluster
    do: |
      Create a cluster named `prod`.
    expect:                      # false before the solution, true after: content check proves both
      - call: ecs.describe_clusters
        params: {{clusters: [prod]}}
        query: "clusters[0].status"
        eq: ACTIVE
        label: cluster prod is ACTIVE
    hints:                       # from the concept to the exact command
      - Clusters are created with the ECS API.
      - "Type: aws ecs create-cluster --cluster-name prod"
    solution:                    # exactly what a learner types
      - aws ecs create-cluster --cluster-name prod
"""

LAB = """\
format: 1
id: {slug}                       # kebab-case, unique in the pack
title: {title}
task: |                          # what the learner is asked to do (they open the lab in the sandbox)
  The cluster `prod` has no container instances. Get one registered in it.
hints:
  - Container instances are EC2 instances whose ECS agent registers with the cluster in ecs.config.
setup:                           # builds the broken world (quiz setup steps: aws lines, calls, settle)
  - aws ecs create-cluster --cluster-name prod
expect:                          # fail in the broken world, pass after the solution (content check proves both)
  - call: ecs.describe_clusters
    params: {{clusters: [prod]}}
    query: "clusters[0].registeredContainerInstancesCount"
    ge: 1
    label: at least one container instance is registered in prod
solution:                        # the reference solution: aws lines
  - "aws ec2 run-instances --image-id resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id --instance-type t3.medium --iam-instance-profile Name=ecsInstanceRole --user-data 'echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config'"
"""

TEMPLATES = {"question": QUESTION, "lesson": LESSON, "lab": LAB}


def scaffold(kind: str, path: str | os.PathLike[str]) -> Path:
    """Write the scaffold for `kind` at `path` (never overwriting); return the path."""
    if kind not in TEMPLATES:
        raise UsageError(f"unknown kind '{kind}'", hint="ecslearn content new question|lesson|lab PATH")
    target = Path(path)
    area = AREAS[kind]
    if not FILE_RE.match(target.name):
        raise UsageError(f"{target.name} is not a content file name: use NN-slug.yaml (such as 07-my-topic.yaml)")
    if target.parent.name != area:
        raise UsageError(f"a {kind} belongs in the {area}/ folder of your pack",
                         hint=f"for example: ecslearn content new {kind} my-pack/{area}/{target.name}")
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists; ecslearn content new never overwrites a file")
    slug = target.stem[3:]
    title = slug.replace("-", " ").capitalize()
    text = TEMPLATES[kind].format(slug=slug, title=title)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8") as fh:   # "x": fails rather than overwrite
            fh.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; ecslearn content new never overwrites a file") from None
    except OSError as err:
        raise UsageError(f"cannot write {target}: {err.strerror or err}") from None
    return target
