// userlvsd: the UserLvs router daemon. The forwarding host lands with the data-plane issue; until then
// it validates its flags and says plainly that it cannot forward yet.
using System.CommandLine;

var config = new Option<FileInfo>("--config") { Description = "Piranha lvs.cf to run" };
var check = new Option<bool>("--check") { Description = "validate the config and exit 0 or 1" };
var root = new RootCommand("userlvsd: Linux Virtual Server (LVS-NAT) router daemon in userspace") { config, check };
root.SetAction(result =>
{
    Console.Error.WriteLine("userlvsd: the forwarding host is not built yet (see the README's status section)");
    return 2;
});
return root.Parse(args).Invoke();
