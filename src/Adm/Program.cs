// userlvs-adm: ipvsadm's command line for UserLvs. The control socket lands with the daemon issue;
// until then it prints its version line and says plainly that it cannot reach a daemon yet.
Console.Error.WriteLine("userlvs-adm: the control socket is not built yet (see the README's status section)");
return 2;
