#!/usr/bin/env pwsh
# Task runner. Run with `dotnet pwsh ./build.ps1 <target>` after `dotnet tool restore`.
#   build    compile everything (warnings are errors)
#   test     run every test against a real PostgreSQL; prints "N passed, N failed" last
#   run      run the service (its own PostgreSQL under ./.ledger unless ConnectionStrings__Ledger is set),
#            or one of its commands: run -- migrate|replay|rebuild|pull|verify-config|callback-urls|check-env …
#   bench    run the load generator against a fresh service and a pgbench baseline
#   codegen  write Wolverine's generated code (src/Web/Internal/Generated)
#   rebuild  rebuild every projection from the events (run while no callbacks arrive)
#   chaos    only the crash tests (PostgreSQL and the service killed with SIGKILL, read-only database)
# Everything after the target is passed on (to the service, the bench or dotnet test), e.g.
#   dotnet pwsh ./build.ps1 run -- --urls http://127.0.0.1:5080
#   dotnet pwsh ./build.ps1 run -- replay --provider aliyun --dry-run
#   dotnet pwsh ./build.ps1 bench --large 1000000
# (no param block on purpose: PowerShell would take options like --urls for its own parameters).
$all = @($args | Where-Object { $_ -ne '--' })
$Target = if ($all.Count -gt 0) { [string]$all[0] } else { 'build' }
$Rest = @(if ($all.Count -gt 1) { $all[1..($all.Count - 1)] })
$targets = 'build', 'test', 'run', 'bench', 'codegen', 'rebuild', 'chaos'
if ($targets -notcontains $Target) {
    Write-Error "Unknown target '$Target'. Targets: $($targets -join ', ')"
    exit 2
}
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Checked([string]$File, [string[]]$Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Target) {
    'build' {
        Invoke-Checked dotnet @('build', 'Ledger.sln', '-c', 'Release')
    }
    'test' {
        $results = Join-Path $PSScriptRoot 'TestResults'
        if (Test-Path $results) { Remove-Item -Recurse -Force $results }
        & dotnet test Ledger.sln -c Release --logger trx --results-directory $results @Rest
        $testExit = $LASTEXITCODE
        $passed = 0; $failed = 0; $files = 0
        foreach ($trx in Get-ChildItem -Path $results -Filter *.trx -Recurse -ErrorAction SilentlyContinue) {
            $counters = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
            $passed += [int]$counters.passed
            $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
            $files++
        }
        if ($files -eq 0) { Write-Host 'No test results were written.'; $failed = [Math]::Max($failed, 1) }
        Write-Host "Tests: $passed passed, $failed failed"
        if ($testExit -ne 0 -or $failed -gt 0 -or $passed -eq 0) { exit 1 }
    }
    'run' {
        # The service, or one of its commands (`run -- replay …`): either way the executable finds the
        # repository's ./.ledger and src/Web/appsettings*.json itself (Hosting/SourceTree.cs), so nothing is
        # put before the command name.
        # A command's exit code is its answer (verify-config: 1 = problems found), passed on as it is, without
        # a PowerShell error record on top of the command's own message.
        & dotnet @(@('run', '--project', 'src/Web', '-c', 'Release', '--') + $Rest)
        exit $LASTEXITCODE
    }
    'bench' {
        Invoke-Checked dotnet (@('run', '--project', 'bench/Ledger.Bench', '-c', 'Release', '--') + $Rest)
    }
    'rebuild' {
        Invoke-Checked dotnet (@('run', '--project', 'src/Web', '-c', 'Release', '--', 'rebuild') + $Rest)
    }
    'chaos' {
        # The service runs as its own process from the built Ledger.Web.dll beside the test assembly.
        Invoke-Checked dotnet (@('test', 'tests/Ledger.Tests', '-c', 'Release', '--filter', 'FullyQualifiedName~Chaos', '--logger', 'console;verbosity=detailed') + $Rest)
    }
    'codegen' {
        # Remove the old files first: after an endpoint's signature changes they no longer compile.
        if (Test-Path src/Web/Internal/Generated) { Remove-Item -Recurse -Force src/Web/Internal/Generated }
        Invoke-Checked dotnet @('run', '--project', 'src/Web', '--', 'codegen', 'write')
    }
}
