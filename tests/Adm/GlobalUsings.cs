global using UserLvs.Scheduling;
