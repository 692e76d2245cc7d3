using Ledger.Web.Cli;

namespace Ledger.Tests.Operations;

/// <summary>
/// `dotnet Ledger.Web.dll --Ledger:DataDirectory=… --urls …` (and `replay --Ledger:Schema x --dry-run`): the
/// configuration reads the overrides, JasperFx's parser and the replay options must not see them.
/// </summary>
public sealed class command_line_rules
{
    [Fact]
    public void configuration_overrides_are_left_out_of_what_the_command_parser_sees()
    {
        LedgerCommands.CommandArgs(["--Ledger:DataDirectory=/srv/ledger", "--urls", "http://127.0.0.1:5080", "--Ledger:Schema", "ledger2", "-v"])
            .ShouldBe(["--urls", "http://127.0.0.1:5080", "-v"]);
    }

    [Fact]
    public void commands_their_flags_and_jasperfx_config_stay()
    {
        string[] args = ["codegen", "write"];
        LedgerCommands.CommandArgs(args).ShouldBe(args);
        string[] config = ["run", "--config:Ledger:Schema", "x", "--urls=http://127.0.0.1:5080"];
        LedgerCommands.CommandArgs(config).ShouldBe(config);
        LedgerCommands.CommandArgs(["--Ledger:Retention:ArchiveAfterDays", "--urls", "http://h:1"]).ShouldBe(["--urls", "http://h:1"]); // a flag, not its value
    }

    [Fact]
    public void a_replay_sees_its_own_options_not_the_configuration_overrides()
    {
        LedgerCommands.CommandArgs(["replay", "--Ledger:DataDirectory=/srv/ledger", "--provider", "aliyun", "--Ledger:Schema", "ledger2", "--dry-run"])[1..]
            .ShouldBe(["--provider", "aliyun", "--dry-run"]);
    }
}
