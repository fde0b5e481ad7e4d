/* commands.h - one function per `callbell` subcommand; each returns the exit code. */
#ifndef CALLBELL_APP_COMMANDS_H
#define CALLBELL_APP_COMMANDS_H
int cb_cmd_broker(int argc, char **argv);
int cb_cmd_hub(int argc, char **argv);
int cb_cmd_board(int argc, char **argv);
int cb_cmd_table(int argc, char **argv);
int cb_cmd_press(int argc, char **argv);
int cb_cmd_ack(int argc, char **argv);
int cb_cmd_done(int argc, char **argv);
int cb_cmd_calls(int argc, char **argv);
int cb_cmd_stats(int argc, char **argv);
int cb_cmd_report(int argc, char **argv);
int cb_cmd_notify(int argc, char **argv);
int cb_cmd_demo(int argc, char **argv);
int cb_cmd_config(int argc, char **argv);
int cb_cmd_device(int argc, char **argv);
/* cmd_roles.c: the site's credentials (`device add|list|remove`, `staff ...`, `display ...`) */
int cb_cmd_device_roles(int argc, char **argv);
int cb_cmd_staff_roles(int argc, char **argv);
int cb_cmd_display(int argc, char **argv);
#endif
