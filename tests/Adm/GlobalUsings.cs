global using UserLvs.Scheduling;
global using UserLvs.Control;
