#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every packable project from the code as it is now.
#
# The public API analyzer (Microsoft.CodeAnalysis.PublicApiAnalyzers) fails the build when a public symbol is
# missing from PublicAPI.Shipped.txt/PublicAPI.Unshipped.txt (RS0016) or listed there but no longer public
# (RS0017). After a deliberate change to the public surface, run this script and review the diff of the
# Unshipped files: it is the change to the public API. PublicAPI.Shipped.txt is never touched; it changes only
# when a release ships (move the Unshipped lines into it then).
#
# How: each Unshipped file is emptied (its "#nullable enable" header kept), then the analyzer's own code fix for
# RS0016 adds every public symbol not already in the Shipped file, through `dotnet format analyzers`. The fix
# writes the lines sorted, so the same code always gives the same file.
#
# Usage: eng/update-public-api.sh [project.csproj ...]   (default: the packable projects below)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
    projects=(
        src/MailHost.Protocols/MailHost.Protocols.csproj
        src/MailHost/MailHost.csproj
        src/MailHost.Storage.Sqlite/MailHost.Storage.Sqlite.csproj
    )
fi

# Empty every file first: a project's format run loads the projects it references, and a stale entry in one of
# them (RS0017) must not survive because that project was rewritten before or after.
for project in "${projects[@]}"; do
    directory="$(dirname "$project")"
    if [ ! -f "$directory/PublicAPI.Shipped.txt" ]; then
        echo "$directory has no PublicAPI.Shipped.txt: is it a packable project with the public API analyzer?" >&2
        exit 1
    fi

    printf '#nullable enable\n' > "$directory/PublicAPI.Unshipped.txt"
done

for project in "${projects[@]}"; do
    echo "Declaring the public API of $project"
    dotnet format analyzers "$project" --diagnostics RS0016 --severity warn --verbosity quiet
done

git --no-pager diff --stat -- '*/PublicAPI.Unshipped.txt' || true
