#!/usr/bin/env bash
# RUN: installs/starts PostgreSQL, Redis and RabbitMQ on this machine if needed, then starts the whole stack
# (api, worker, web) through the AppHost. Arguments go to the AppHost, e.g.
#   ./run.sh --Local:Urls:web=http://localhost:5290
set -euo pipefail
cd "$(dirname "$0")"
eng/servers.sh
eng/embeddings.sh
exec dotnet run --project AiPlatform.AppHost -- "$@"
