#include <stdio.h>

int
main(void)
{

	printf("hello from the demo tree\n");
	return (0);
}
