global using UserLvs.Control;
